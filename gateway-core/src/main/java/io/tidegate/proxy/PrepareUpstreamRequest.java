package io.tidegate.proxy;

import io.tidegate.runtime.RoutePlan;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

/**
 * Shapes the request for the upstream before plugins see it, so that plugin changes win: drops
 * hop-by-hop headers (keeping a WebSocket handshake on a route that allows it) and any
 * X-Consumer-Username the client sent (only authentication may set it), records the client's Host
 * and port in X-Forwarded-Host/-Port, and applies {@code pass_host: rewrite}.
 */
final class PrepareUpstreamRequest implements HttpHandler {
    private static final HttpString CONSUMER_HEADER = new HttpString("X-Consumer-Username");

    private final RoutePlan plan;
    private final HttpHandler next;

    PrepareUpstreamRequest(RoutePlan plan, HttpHandler next) {
        this.plan = plan;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (plan.websocket() && HopByHopHeaders.isWebSocketUpgrade(exchange)) {
            HopByHopHeaders.stripRequestKeepingUpgrade(exchange);
        } else {
            HopByHopHeaders.stripRequest(exchange);
        }
        exchange.getRequestHeaders().remove(CONSUMER_HEADER);
        ForwardedHeaders.addMissing(exchange);
        if (plan.rewriteHost() != null) {
            io.tidegate.http.ClientRequestView.keep(exchange);
            exchange.getRequestHeaders().put(Headers.HOST, plan.rewriteHost());
        }
        next.handleRequest(exchange);
    }
}
