package io.tidegate.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;

/**
 * APISIX's X-Forwarded-Host and X-Forwarded-Port: the client's own value when it sent one, else
 * the Host the client asked for and the port it connected to. Set before Host may be rewritten
 * (pass_host node/rewrite), so they always describe the client's request. Undertow's proxy adds
 * X-Forwarded-For (appended) and X-Forwarded-Proto.
 */
final class ForwardedHeaders {
    private ForwardedHeaders() {}

    static void addMissing(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getRequestHeaders();
        if (!headers.contains(Headers.X_FORWARDED_HOST)) {
            String host = exchange.getHostName();
            if (host != null && !host.isEmpty()) {
                headers.put(Headers.X_FORWARDED_HOST, host);
            }
        }
        if (!headers.contains(Headers.X_FORWARDED_PORT)) {
            headers.put(Headers.X_FORWARDED_PORT, exchange.getDestinationAddress().getPort());
        }
    }
}
