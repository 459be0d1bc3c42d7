package io.tidegate.config;

/** One upstream node; {@code host} is an IP literal (IPv6 without brackets) or a host name. */
public record UpstreamNode(String host, int port, int weight, int priority) {
    /** {@code host:port}, with IPv6 hosts bracketed. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
