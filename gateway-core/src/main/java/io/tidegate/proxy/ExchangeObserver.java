package io.tidegate.proxy;

import io.tidegate.observe.AccessLog;
import io.tidegate.observe.GatewayMetrics;
import io.tidegate.http.ExchangeFacts;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ResponseCommitListener;
import java.net.InetSocketAddress;

/**
 * Follows one exchange for the access log and the metrics: its start, the moment the response
 * head leaves, and its end, when it records what happened (the access log only queues the entry;
 * nothing is written on the IO thread).
 */
final class ExchangeObserver implements ResponseCommitListener, ExchangeCompletionListener {
    private final AccessLog log;
    private final GatewayMetrics metrics;
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private long headNanos;

    /** Either may be null (that output is off). */
    ExchangeObserver(AccessLog log, GatewayMetrics metrics) {
        this.log = log;
        this.metrics = metrics;
    }

    void attach(HttpServerExchange exchange) {
        exchange.addResponseCommitListener(this);
        exchange.addExchangeCompleteListener(this);
    }

    @Override
    public void beforeCommit(HttpServerExchange exchange) {
        headNanos = System.nanoTime();
    }

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
        try {
            long total = System.nanoTime() - startNanos;
            Long upstreamStart = exchange.getAttachment(ExchangeFacts.UPSTREAM_START_NANOS);
            long upstream = upstreamStart == null || headNanos == 0 ? -1 : headNanos - upstreamStart;
            String route = exchange.getAttachment(ExchangeFacts.ROUTE_ID);
            if (metrics != null) {
                metrics.record(route, exchange.getStatusCode(), total, upstream, exchange.getResponseBytesSent(),
                        Math.max(0, exchange.getRequestContentLength()));
            }
            if (log != null) {
                InetSocketAddress source = exchange.getSourceAddress();
                String query = exchange.getQueryString();
                log.record(new AccessLog.Entry(startMillis,
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
