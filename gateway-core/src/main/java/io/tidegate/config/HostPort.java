package io.tidegate.config;

import java.util.regex.Pattern;

/** Parses {@code host}, {@code host:port}, {@code [v6]} and {@code [v6]:port}; no DNS involved. */
record HostPort(String host, int port) {
    /** A host name; a trailing dot (a fully qualified name, {@code localhost.}) is allowed, as in DNS. */
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\\.?$");
    private static final Pattern IPV6 = Pattern.compile("^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$");

    /** Returns null when the text is not a valid address or has no port and {@code defaultPort} is negative. */
    static HostPort parse(String text, int defaultPort) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String host;
        String portText = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return null;
                }
                portText = rest.substring(1);
            }
            if (!IPV6.matcher(host).matches() || host.indexOf(':') < 0) {
                return null;
            }
        } else {
            int colon = text.indexOf(':');
            if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) {
                return null; // bare IPv6 must be bracketed when a port can follow
            }
            host = colon >= 0 ? text.substring(0, colon) : text;
            portText = colon >= 0 ? text.substring(colon + 1) : null;
            if (!NAME.matcher(host).matches()) {
                return null;
            }
        }
        int port = defaultPort;
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        if (port < 0 || port > 65535) {
            return null;
        }
        return new HostPort(host, port);
    }
}
