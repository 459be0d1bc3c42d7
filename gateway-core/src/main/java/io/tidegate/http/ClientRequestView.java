package io.tidegate.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;

/**
 * The request line and Host as the client sent them, kept the first time something is about to
 * rewrite the upstream request (proxy-rewrite, {@code pass_host: rewrite}), so that {@code $uri},
 * {@code $request_uri} and {@code $host} keep meaning the client's request afterwards, as in
 * APISIX, where a rewrite changes only the upstream's. Nothing is kept for requests nothing rewrites.
 */
public record ClientRequestView(String path, String requestUri, String host, String hostHeader) {
    private static final AttachmentKey<ClientRequestView> KEY = AttachmentKey.create(ClientRequestView.class);

    /** Call before changing the exchange's path, query or Host. */
    public static void keep(HttpServerExchange exchange) {
        if (exchange.getAttachment(KEY) == null) {
            exchange.putAttachment(KEY, new ClientRequestView(exchange.getRequestPath(), requestUri(exchange),
                    ExchangeRequest.hostOf(exchange.getRequestHeaders().getFirst(Headers.HOST)),
                    exchange.getRequestHeaders().getFirst(Headers.HOST)));
        }
    }

    /** The kept view, or null when nothing rewrote the request. */
    static ClientRequestView of(HttpServerExchange exchange) {
        return exchange.getAttachment(KEY);
    }

    /** The Host header as the client sent it, or null when nothing rewrote the request. */
    public static String clientHostHeader(HttpServerExchange exchange) {
        ClientRequestView view = exchange.getAttachment(KEY);
        return view == null ? null : view.hostHeader();
    }

    static String requestUri(HttpServerExchange exchange) {
        return exchange.getQueryString().isEmpty() ? exchange.getRequestURI() : exchange.getRequestURI() + "?" + exchange.getQueryString();
    }
}
