package io.tidegate.config;

/**
 * One client-facing listener; {@code host} is an IP literal or name (IPv6 without brackets), port 0 =
 * ephemeral. {@code tls} null means plain HTTP; {@code offerH2} offers HTTP/2 (ALPN on TLS, h2c on
 * plain HTTP).
 */
public record ListenerSettings(String host, int port, ListenerTls tls, boolean offerH2) {
    public ListenerSettings(String host, int port) {
        this(host, port, null, false);
    }

    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
