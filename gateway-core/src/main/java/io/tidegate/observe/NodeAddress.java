package io.tidegate.observe;

/**
 * Reads the node addresses the balancer and the health checks report: {@code ip:port},
 * {@code [ipv6]:port}, or {@code name:port (ip)} for a node configured by name.
 */
final class NodeAddress {
    private NodeAddress() {}

    /** The node's IP (the resolved one for a name; IPv6 without brackets); "" for "". */
    static String ip(String address) {
        int open = address.indexOf(" (");
        if (open >= 0 && address.endsWith(")")) {
            return unbracket(address.substring(open + 2, address.length() - 1));
        }
        return unbracket(hostPort(address)[0]);
    }

    /** The node's port, "" when the address has none. */
    static String port(String address) {
        int open = address.indexOf(" (");
        return hostPort(open >= 0 ? address.substring(0, open) : address)[1];
    }

    private static String[] hostPort(String address) {
        int colon = address.lastIndexOf(':');
        int bracket = address.lastIndexOf(']');
        if (colon < 0 || colon < bracket || (bracket < 0 && address.indexOf(':') != colon)) {
            return new String[] {address, ""};  // no port, or a bare IPv6 address
        }
        return new String[] {address.substring(0, colon), address.substring(colon + 1)};
    }

    private static String unbracket(String host) {
        return host.length() > 1 && host.charAt(0) == '[' && host.charAt(host.length() - 1) == ']'
                ? host.substring(1, host.length() - 1) : host;
    }
}
