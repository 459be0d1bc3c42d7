package io.tidegate.config;

/** {@code tidegate.admin}: the APISIX-compatible Admin API's listener and the key it requires. */
public record AdminSettings(ListenerSettings address, String apiKey) {
    public static final ListenerSettings DEFAULT_ADDRESS = new ListenerSettings("127.0.0.1", 9180);

    @Override
    public String toString() {
        return "AdminSettings[address=" + address + ", apiKey=(hidden)]"; // never log the key
    }
}
