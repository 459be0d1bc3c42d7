package io.tidegate.config;

/**
 * {@code tidegate.admin}: the APISIX-compatible Admin API's listener and the key it requires. With
 * {@code tidegate.etcd} the API writes resources to etcd; without it the API serves the whole
 * configuration ({@code /apisix/admin/configs}, APISIX's API-driven standalone mode), kept in
 * memory and, when {@code stateFile} is set, in that file too, so that it survives a restart.
 */
public record AdminSettings(ListenerSettings address, String apiKey, String stateFile) {
    public static final ListenerSettings DEFAULT_ADDRESS = new ListenerSettings("127.0.0.1", 9180);

    @Override
    public String toString() {
        return "AdminSettings[address=" + address + ", apiKey=(hidden), stateFile=" + stateFile + "]"; // never log the key
    }
}
