package io.tidegate.config;

/** One HTTP listener; {@code host} is an IP literal or name (IPv6 without brackets), port 0 = ephemeral. */
public record ListenerSettings(String host, int port) {
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
