package io.tidegate.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

/**
 * One exchange's clock: when the gateway took the request, when the upstream was first tried, when
 * its response head arrived. Stamped once each, by the step that owns the moment, and read by the
 * access log, the metrics and the variables alike, so {@code request_time},
 * {@code upstream_response_time} and the log's figures always agree. IO thread only.
 */
public final class ExchangeClock {
    private static final AttachmentKey<ExchangeClock> KEY = AttachmentKey.create(ExchangeClock.class);

    private final long startNanos;
    private final long startMillis;
    private long upstreamStartNanos = -1;
    private long upstreamHeadNanos = -1;
    /** nginx's {@code $upstream_status} of the last try (a failed try 502, a timed-out one 504); 0 before any. */
    private int upstreamStatus;

    private ExchangeClock(long startNanos, long startMillis) {
        this.startNanos = startNanos;
        this.startMillis = startMillis;
    }

    /** Starts the clock of a request the gateway just took. */
    public static ExchangeClock start(HttpServerExchange exchange) {
        ExchangeClock clock = new ExchangeClock(System.nanoTime(), System.currentTimeMillis());
        exchange.putAttachment(KEY, clock);
        return clock;
    }

    /** The exchange's clock; null for one the gateway never took (a refused connection). */
    public static ExchangeClock of(HttpServerExchange exchange) {
        return exchange.getAttachment(KEY);
    }

    /** The first try of the upstream begins (retries do not restart it). */
    public void upstreamStarted(long nanos) {
        if (upstreamStartNanos < 0) {
            upstreamStartNanos = nanos;
        }
    }

    /** The upstream's response head arrived (or the exchange ended without one). */
    public void upstreamHeadArrived() {
        if (upstreamHeadNanos < 0) {
            upstreamHeadNanos = System.nanoTime();
        }
    }

    public void upstreamAnswered(int status) {
        upstreamStatus = status;
    }

    /** The last try's status, or 0 when no upstream was tried. */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    public long startNanos() {
        return startNanos;
    }

    public long startMillis() {
        return startMillis;
    }

    /** Nanoseconds from the first upstream try to its response head; -1 when there was none. */
    public long upstreamNanos() {
        return upstreamStartNanos < 0 || upstreamHeadNanos < 0 ? -1 : upstreamHeadNanos - upstreamStartNanos;
    }
}
