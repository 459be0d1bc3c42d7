package io.tidegate.route;

import java.net.InetAddress;

/** What the router needs to know about a request; the proxy adapts its exchange to this. */
public interface MatchRequest {
    /** Host without port, lower case; empty when the request has none. */
    String host();

    /** Decoded path, without query string. */
    String path();

    String method();

    /** The client's address, or null when unknown. */
    InetAddress clientAddress();

    /** An APISIX variable ({@code arg_x}, {@code http_x}, {@code cookie_x}, {@code uri}, ...), or null. */
    String variable(String name);
}
