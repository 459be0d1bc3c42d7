package io.tidegate.config;

import java.util.Set;

/**
 * The request variables the gateway resolves ({@code http.Variables}): the named ones, and the
 * families {@code arg_NAME}, {@code http_NAME}, {@code cookie_NAME}. Where configuration names a
 * variable that must have a value (a chash key), a name outside these is a typo caught at load
 * rather than a key that silently never resolves.
 */
public final class VariableNames {
    public static final Set<String> NAMED = Set.of("status", "bytes_sent", "body_bytes_sent", "request_length", "request_time",
            "upstream_response_time", "upstream_addr", "upstream_status", "route_id", "service_id", "consumer_name", "msec", "time_iso8601", "uri",
            "request_uri", "host", "remote_addr", "remote_port", "realip_remote_addr", "realip_remote_port", "server_addr", "server_port", "request_method", "server_protocol", "scheme",
            "query_string", "args", "hostname", "server_name");

    private VariableNames() {
    }

    public static boolean isKnown(String name) {
        return NAMED.contains(name) || (name.length() > 4 && name.startsWith("arg_"))
                || (name.length() > 5 && name.startsWith("http_")) || (name.length() > 7 && name.startsWith("cookie_"));
    }
}
