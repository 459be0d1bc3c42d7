package io.tidegate.proxy;

import io.tidegate.observe.AccessLog;
import io.tidegate.observe.GatewayMetrics;
import io.tidegate.http.ExchangeClock;
import io.tidegate.http.ExchangeFacts;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import java.net.InetSocketAddress;

/**
 * Follows one exchange for the access log and the metrics: at its end it records what happened,
 * timed by the exchange's {@link ExchangeClock} (the access log only queues the entry;
 * nothing is written on the IO thread).
 */
final class ExchangeObserver implements ExchangeCompletionListener {
    private final AccessLog log;
    private final GatewayMetrics metrics;
    private final io.tidegate.observe.TrafficTotals traffic;
    private final ExchangeClock clock;

    /** Any output may be null (it is off). */
    ExchangeObserver(AccessLog log, GatewayMetrics metrics, io.tidegate.observe.TrafficTotals traffic, ExchangeClock clock) {
        this.log = log;
        this.metrics = metrics;
        this.traffic = traffic;
        this.clock = clock;
    }

    void attach(HttpServerExchange exchange) {
        exchange.addExchangeCompleteListener(this);
    }

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
        try {
            long total = System.nanoTime() - clock.startNanos();
            long upstream = clock.upstreamNanos();
            String route = exchange.getAttachment(ExchangeFacts.ROUTE_ID);
            if (traffic != null) {
                traffic.record(exchange.getStatusCode(), total);
            }
            if (metrics != null) {
                metrics.record(exchange, total, upstream);
            }
            if (log != null) {
                InetSocketAddress source = exchange.getSourceAddress();
                String query = exchange.getQueryString();
                log.record(new AccessLog.Entry(clock.startMillis(),
                        source == null || source.getAddress() == null ? null : source.getAddress().getHostAddress(),
                        exchange.getRequestMethod().toString(),
                        query.isEmpty() ? exchange.getRequestURI() : exchange.getRequestURI() + "?" + query,
                        exchange.getStatusCode(), exchange.getResponseBytesSent(), route,
                        exchange.getAttachment(ExchangeFacts.NODE_ADDRESS), total / 1e6, upstream < 0 ? -1 : upstream / 1e6));
            }
        } finally {
            next.proceed();
        }
    }
}
