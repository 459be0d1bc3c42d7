package io.tidegate.proxy;

import io.tidegate.http.ExchangeClock;
import io.tidegate.http.ExchangeFacts;
import io.tidegate.http.ExchangeRequest;
import io.tidegate.observe.AccessLog;
import io.tidegate.observe.GatewayMetrics;
import io.tidegate.runtime.ActiveRoute;
import io.tidegate.runtime.ServingVersion;
import io.tidegate.runtime.SnapshotHolder;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * The entry of every request: holds the serving version until the exchange completes (so its
 * plugins stay open while the request may use them, and close as soon as no request does once a
 * newer version serves), matches a route in it and hands the exchange to that route's handler. Unmatched: 404 {@code {"error_msg":"404 Route Not Found"}}. A
 * declared body over {@code client_max_body_size}: 413 before any routing. (A chunked body that
 * grows past the limit is cut off by Undertow, which closes the connection.) Before the
 * configuration's source was first read (etcd away at start) every request is 503: a 404 would
 * tell a client, or a load balancer, that a route it relies on is gone.
 */
public final class GatewayHandler implements HttpHandler {
    private final SnapshotHolder snapshots;
    private final long maxBodySize;
    private final AccessLog accessLog;
    private final GatewayMetrics metrics;
    private final io.tidegate.observe.TrafficTotals traffic;
    private final boolean observed;
    private final RequestGuard guard;
    /** Whether the matched patterns are put on the exchange (only APISIX's metric names use them). */
    private final boolean keepPattern;

    /**
     * @param maxBodySize largest request body accepted, in bytes; 0 = unlimited
     * @param accessLog   where each request is logged, or null for no access log
     * @param metrics     where each request is counted, or null for no metrics
     * @param traffic     the dashboard's totals, or null without a dashboard
     */
    public GatewayHandler(SnapshotHolder snapshots, long maxBodySize, RequestGuard guard, AccessLog accessLog,
                          GatewayMetrics metrics, io.tidegate.observe.TrafficTotals traffic) {
        this.snapshots = snapshots;
        this.guard = guard;
        this.maxBodySize = maxBodySize;
        this.accessLog = accessLog;
        this.metrics = metrics;
        this.traffic = traffic;
        this.observed = accessLog != null || metrics != null || traffic != null;
        this.keepPattern = metrics != null && metrics.readsMatchedPattern();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        ExchangeClock clock = ExchangeClock.start(exchange);
        if (observed) {
            new ExchangeObserver(accessLog, metrics, traffic, clock).attach(exchange);
        }
        if (!guard.admit(exchange)) {
            return;
        }
        if (maxBodySize > 0 && exchange.getRequestContentLength() > maxBodySize) {
            // The body stays unread, so the connection cannot carry another request.
            exchange.setPersistent(false);
            ErrorResponses.send(exchange, 413, "413 Request Entity Too Large");
            return;
        }
        if (!snapshots.loaded()) {
            ErrorResponses.send(exchange, 503, "503 Service Unavailable: configuration not loaded yet");
            return;
        }
        // One cell per IO thread counts the holders: no lock, and IO threads never contend.
        int stripe = exchange.getIoThread().getNumber();
        ServingVersion version = snapshots.hold(stripe);
        // Added before the route's handlers add theirs, so it runs after them (Undertow runs these
        // last added first): the plugins' log phase still has them open.
        exchange.addExchangeCompleteListener((ex, next) -> {
            version.release(stripe);
            next.proceed();
        });
        io.tidegate.route.Router.Hit<ActiveRoute> hit = version.snapshot().router().hit(new ExchangeRequest(exchange));
        if (hit == null) {
            version.snapshot().unmatched().handler().handleRequest(exchange);
            return;
        }
        ActiveRoute route = hit.value();
        if (keepPattern || route.plan().hasPlugins()) {
            // plugins read it as $matched_uri (opentelemetry names its span by it)
            exchange.putAttachment(ExchangeFacts.MATCHED, hit.pattern());
        }
        exchange.putAttachment(ExchangeFacts.ROUTE_ID, route.plan().routeId());
        if (route.plan().choosesUpstreams()) {
            // only where a plugin may look an upstream_id up: an attachment is not free on the request path
            exchange.putAttachment(ChosenUpstream.VERSION_UPSTREAMS, version.snapshot().upstreams());
        }
        if (route.plan().serviceId() != null) {
            exchange.putAttachment(ExchangeFacts.SERVICE_ID, route.plan().serviceId());
        }
        route.handler().handleRequest(exchange);
    }
}
