package io.tidegate.proxy;

import io.tidegate.runtime.RoutePlan;
import io.tidegate.upstream.UpstreamProxyClient;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyHandler;

/**
 * Proxies one route's requests to its upstream: arms the response timeout (head, then body
 * progress), installs the error
 * responder and the response's hop-by-hop cleanup, then hands over to Undertow's streaming proxy,
 * which forwards bodies both ways without buffering them.
 */
final class RouteProxyHandler implements HttpHandler {
    private final RoutePlan plan;
    private final ProxyHandler proxy;
    private final long readTimeoutMillis;

    RouteProxyHandler(RoutePlan plan, ProxyHandler proxy) {
        this.plan = plan;
        this.proxy = proxy;
        this.readTimeoutMillis = Math.max(1, Math.round(plan.timeout().read() * 1000));
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        exchange.putAttachment(UpstreamProxyClient.TIMEOUTS, plan.timeout());
        exchange.addDefaultResponseListener(UpstreamErrorResponder.INSTANCE);
        exchange.addResponseCommitListener(HopByHopHeaders.STRIP_RESPONSE);
        ResponseTimeout.arm(exchange, readTimeoutMillis);
        StalledBodyWatch.install(exchange, readTimeoutMillis);
        proxy.handleRequest(exchange);
    }

    @Override
    public String toString() {
        return "route " + plan.routeId() + " -> " + plan.upstream().name();
    }
}
