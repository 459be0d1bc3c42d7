package io.tidegate.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's Prometheus metrics. Labels are bounded: {@code route} takes configured route ids
 * (or {@code none} for unmatched requests) and {@code status} the response code, so a client can
 * never create new series. Per-route meters are looked up once and cached.
 *
 * <p>With APISIX's names ({@link #apisix}), requests, connections and health checks are published
 * as APISIX's {@code apisix_*} series instead ({@link ApisixMetrics}); the gauges and counters of
 * the gateway's own state ({@code tidegate_config_version} and the like) stay.
 */
public final class GatewayMetrics {
    static final String NO_ROUTE = "none";
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
    /**
     * What gauges and function counters read: Micrometer holds them only weakly, so a method
     * reference made at registration ({@code adder::sum}) would be collected and the meter freeze.
     */
    private final List<Object> readFrom = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Null with APISIX's names. */
    private final MultiGauge nodeHealth;
    /** Null with the gateway's own names. */
    private final ApisixMetrics apisix;

    /** The gateway's own names ({@code tidegate_*}). */
    public GatewayMetrics() {
        this(null);
    }

    private GatewayMetrics(ApisixMetrics apisix) {
        this.apisix = apisix;
        this.nodeHealth = apisix != null ? null : MultiGauge.builder("tidegate_upstream_node_healthy")
                .description("1 while health checks find the node healthy, 0 while they find it unhealthy").register(registry);
    }

    /** APISIX's names and labels; {@code version} is what {@code apisix_node_info} reports. */
    public static GatewayMetrics apisix(String version) {
        return new GatewayMetrics(new ApisixMetrics(version));
    }

    /** Whether requests need their matched route patterns kept (APISIX's {@code matched_uri}, {@code matched_host}). */
    public boolean readsMatchedPattern() {
        return apisix != null;
    }

    /** Whether the exporter publishes APISIX's names. */
    public boolean apisixNames() {
        return apisix != null;
    }

    /** One finished exchange: its route, status, times and bytes, as the names in use count them. */
    public void record(io.undertow.server.HttpServerExchange exchange, long totalNanos, long upstreamNanos) {
        if (apisix != null) {
            apisix.record(exchange, totalNanos, upstreamNanos);
        } else {
            record(exchange.getAttachment(io.tidegate.http.ExchangeFacts.ROUTE_ID), exchange.getStatusCode(), totalNanos,
                    upstreamNanos, exchange.getResponseBytesSent(), Math.max(0, exchange.getRequestContentLength()));
        }
    }

    /** Client connection and request counts, read at scrape time (APISIX's names only). */
    public void clientCounts(java.util.function.Supplier<ClientCounts> counts) {
        if (apisix != null) {
            apisix.clients(counts);
        }
    }

    /** The etcd watch's view of the keys under {@code prefix}, read at scrape time (APISIX's names only). */
    public void etcd(java.util.function.Supplier<io.tidegate.source.WatchedKeys.View> view, String prefix) {
        if (apisix != null) {
            apisix.etcd(view, prefix);
        }
    }

    /** One route's meters; the request counter per status is created on first use of a status. */
    private final class RouteMeters {
        final String route;
        final Timer total;
        final Timer upstream;
        final Timer gateway;
        final Counter egress;
        final Counter ingress;
        final Map<Integer, Counter> byStatus = new ConcurrentHashMap<>();

        RouteMeters(String route) {
            this.route = route;
            this.total = timer("tidegate_request_duration", "whole exchange");
            this.upstream = timer("tidegate_upstream_duration", "first connect attempt to response head");
            this.gateway = timer("tidegate_gateway_duration", "whole exchange minus the upstream's part");
            this.egress = Counter.builder("tidegate_bandwidth_bytes").tags("route", route, "type", "egress")
                    .description("response bytes sent to clients").register(registry);
            this.ingress = Counter.builder("tidegate_bandwidth_bytes").tags("route", route, "type", "ingress")
                    .description("request body bytes declared by clients").register(registry);
        }

        private Timer timer(String name, String description) {
            return Timer.builder(name).tag("route", route).description(description)
                    .serviceLevelObjectives(BUCKETS).register(registry);
        }

        Counter requests(int status) {
            return byStatus.computeIfAbsent(status, s -> Counter.builder("tidegate_requests")
                    .tags("route", route, "status", Integer.toString(s)).description("requests by route and status")
                    .register(registry));
        }
    }

    /** One finished exchange. {@code upstreamNanos} is negative when no upstream was involved. */
    public void record(String routeId, int status, long totalNanos, long upstreamNanos, long bytesSent, long bytesReceived) {
        RouteMeters meters = routes.computeIfAbsent(routeId == null ? NO_ROUTE : routeId, RouteMeters::new);
        meters.requests(status).increment();
        meters.total.record(Duration.ofNanos(totalNanos));
        if (upstreamNanos >= 0) {
            meters.upstream.record(Duration.ofNanos(upstreamNanos));
            meters.gateway.record(Duration.ofNanos(Math.max(0, totalNanos - upstreamNanos)));
        } else {
            meters.gateway.record(Duration.ofNanos(totalNanos));
        }
        if (bytesSent > 0) {
            meters.egress.increment(bytesSent);
        }
        if (bytesReceived > 0) {
            meters.ingress.increment(bytesReceived);
        }
    }

    /** A value the gateway already keeps (the configuration version, say), read at scrape time. */
    public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
        readFrom.add(source);
        Gauge.builder(name, source, value).description(description).register(registry);
    }

    /** A running total the gateway already keeps (dropped log entries, say), read at scrape time. */
    public void counter(String name, String description, LongSupplier value) {
        readFrom.add(value);
        FunctionCounter.builder(name, value, v -> v.getAsLong()).description(description).register(registry);
    }

    /** A running total with one label, read at scrape time. */
    public void counter(String name, String description, String tagKey, String tagValue, LongSupplier value) {
        readFrom.add(value);
        FunctionCounter.builder(name, value, v -> v.getAsLong()).tag(tagKey, tagValue).description(description)
                .register(registry);
    }

    /** A counter the caller increments (reloads by reason). */
    public Counter counter(String name, String description, String tagKey, String tagValue) {
        return Counter.builder(name).tag(tagKey, tagValue).description(description).register(registry);
    }

    /** One checked node; {@code healthy} is read at scrape time. */
    public record CheckedNode(String upstream, String node, java.util.function.BooleanSupplier healthy) {}

    /** The nodes health checks watch now; series of nodes no longer checked disappear. */
    public void checkedNodes(List<CheckedNode> nodes) {
        if (apisix != null) {
            apisix.checkedNodes(nodes);
            return;
        }
        nodeHealth.register(nodes.stream().map(n -> MultiGauge.Row.of(Tags.of("upstream", n.upstream(), "node", n.node()),
                n.healthy(), h -> h.getAsBoolean() ? 1 : 0)).toList(), true);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return apisix == null ? registry.scrape() : apisix.scrape() + registry.scrape();
    }
}
