package io.tidegate.observe;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * The exporter listener: {@code GET /metrics} in Prometheus' text format, 404 elsewhere. With
 * APISIX's names also on APISIX's path, {@code /apisix/prometheus/metrics}, so scrape
 * configurations written for APISIX work as they are.
 */
public final class MetricsHandler implements HttpHandler {
    private final GatewayMetrics metrics;

    public MetricsHandler(GatewayMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        if (!"/metrics".equals(path) && !(metrics.apisixNames() && "/apisix/prometheus/metrics".equals(path))) {
            exchange.setStatusCode(404);
            exchange.getResponseSender().send("{\"error_msg\":\"404 Not Found\"}");
            return;
        }
        if (exchange.isInIoThread()) {
            exchange.dispatch(this); // rendering every series is work for a worker thread, not an IO thread
            return;
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getResponseSender().send(metrics.scrape());
    }
}
