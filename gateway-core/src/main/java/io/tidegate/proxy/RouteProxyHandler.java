package io.tidegate.proxy;

import io.tidegate.config.RequestLimits;
import io.tidegate.config.Timeouts;
import io.tidegate.upstream.CompiledUpstream;
import io.tidegate.runtime.RoutePlan;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;

/**
 * Proxies one route's requests to its upstream: arms the response timeout (head, then body
 * progress), installs the response's hop-by-hop cleanup, then hands the exchange to a
 * {@link ProxyExchange}, which streams bodies both ways without buffering them.
 */
final class RouteProxyHandler implements HttpHandler {
    private final RoutePlan plan;
    private final CompiledUpstream upstream;
    private final Timeouts timeout;
    private final RequestLimits limits;
    private final long readTimeoutMillis;
    /** grpc and grpcs upstreams: HTTP/2 streams on shared connections. */
    private final boolean multiplexed;

    RouteProxyHandler(RoutePlan plan, RequestLimits limits) {
        this(plan, plan.upstream(), plan.timeout(), limits);
    }

    /** To {@code upstream} with {@code timeout} rather than the route's own (a plugin chose it). */
    RouteProxyHandler(RoutePlan plan, CompiledUpstream upstream, Timeouts timeout, RequestLimits limits) {
        this.plan = plan;
        this.upstream = upstream;
        this.timeout = timeout;
        this.limits = limits;
        this.readTimeoutMillis = Math.max(1, Math.round(timeout.read() * 1000));
        this.multiplexed = upstream.hasNodes() && upstream.node(0).pool() instanceof io.tidegate.proxy.pool.MultiplexedPool;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        exchange.addDefaultResponseListener(UpstreamErrorResponder.INSTANCE);
        exchange.addResponseCommitListener(HopByHopHeaders.STRIP_RESPONSE);
        ResponseTimeout.arm(exchange, readTimeoutMillis);
        StalledBodyWatch.install(exchange, readTimeoutMillis);
        if (multiplexed) {
            MultiplexedProxyExchange proxy = new MultiplexedProxyExchange(exchange, upstream, timeout);
            exchange.dispatch(SameThreadExecutor.INSTANCE, proxy::start);
            return;
        }
        boolean upgrade = plan.websocket() && HopByHopHeaders.isWebSocketUpgrade(exchange)
                && exchange.isHttp11(); // HTTP/2 has no Upgrade (WebSocket over HTTP/2 is RFC 8441, not supported)
        ProxyExchange proxy = new ProxyExchange(exchange, upstream, timeout, limits, upgrade);
        exchange.dispatch(SameThreadExecutor.INSTANCE, proxy::start);
    }

    @Override
    public String toString() {
        return "route " + plan.routeId() + " -> " + upstream.name();
    }
}
