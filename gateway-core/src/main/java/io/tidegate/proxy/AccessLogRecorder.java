package io.tidegate.proxy;

import io.tidegate.observe.AccessLog;
import io.tidegate.upstream.UpstreamProxyClient;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ResponseCommitListener;
import io.undertow.util.AttachmentKey;
import java.net.InetSocketAddress;

/**
 * Follows one exchange for the access log: the start, the moment the response head leaves, and
 * the end, when it hands the entry to the log's queue (never writing on the IO thread).
 */
final class AccessLogRecorder implements ResponseCommitListener, ExchangeCompletionListener {
    /** The matched route's id, for the log; absent for a 404. */
    static final AttachmentKey<String> ROUTE_ID = AttachmentKey.create(String.class);

    private final AccessLog log;
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private long headNanos;

    AccessLogRecorder(AccessLog log) {
        this.log = log;
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
            long end = System.nanoTime();
            Long upstreamStart = exchange.getAttachment(UpstreamProxyClient.STARTED_NANOS);
            double upstreamMs = upstreamStart == null || headNanos == 0 ? -1 : (headNanos - upstreamStart) / 1e6;
            InetSocketAddress source = exchange.getSourceAddress();
            String query = exchange.getQueryString();
            log.record(new AccessLog.Entry(startMillis,
                    source == null || source.getAddress() == null ? null : source.getAddress().getHostAddress(),
                    exchange.getRequestMethod().toString(),
                    query.isEmpty() ? exchange.getRequestURI() : exchange.getRequestURI() + "?" + query,
                    exchange.getStatusCode(), exchange.getResponseBytesSent(), exchange.getAttachment(ROUTE_ID),
                    exchange.getAttachment(UpstreamProxyClient.NODE_ADDRESS), (end - startNanos) / 1e6, upstreamMs));
        } finally {
            next.proceed();
        }
    }
}
