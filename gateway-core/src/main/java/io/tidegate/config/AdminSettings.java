package io.tidegate.config;

/**
 * {@code tidegate.admin}: the APISIX-compatible Admin API's listener and the key it requires. With
 * {@code tidegate.etcd} the API writes resources to etcd; without it the API serves the whole
 * configuration ({@code /apisix/admin/configs}, APISIX's API-driven standalone mode), kept in
 * memory and, when {@code stateFile} is set, in that file too, so that it survives a restart.
 * {@code readOnly}: the API and the dashboard only read; without etcd the resources then come from
 * the configuration file, as when there is no Admin API.
 */
public record AdminSettings(ListenerSettings address, String apiKey, String stateFile, boolean readOnly) {
    public static final ListenerSettings DEFAULT_ADDRESS = new ListenerSettings("127.0.0.1", 9180);

    @Override
    public String toString() {
        return "AdminSettings[address=" + address + ", apiKey=(hidden), stateFile=" + stateFile + ", readOnly=" + readOnly + "]"; // never log the key
    }
}
