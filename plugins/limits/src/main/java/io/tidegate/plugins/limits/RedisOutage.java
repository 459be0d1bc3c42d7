package io.tidegate.plugins.limits;

import io.tidegate.plugin.api.OutageLog;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * limit-count's words for a Redis server that fails. While it is down every request of every
 * limit using it fails, so a line per request would flood the log at production rates;
 * {@link OutageLog} decides when a line is due (the first failure with its cause, a summary per
 * {@link OutageLog#SUMMARY_EVERY} of the requests refused and let through since, one line when
 * Redis answers again with the totals) and this class writes it. One per Redis client, shared by
 * every limit that uses the server, whatever their {@code allow_degradation}.
 */
final class RedisOutage {
    private static final Logger log = LoggerFactory.getLogger(RedisOutage.class);
    static final String REFUSED = "refused with 500";
    static final String LET_THROUGH = "let through uncounted (allow_degradation)";

    private final String server;
    private final OutageLog outage;

    RedisOutage(String server) {
        this(server, System::nanoTime);
    }

    RedisOutage(String server, LongSupplier nanoClock) {
        this.server = server;
        this.outage = new OutageLog(new Wording(), OutageLog.SUMMARY_EVERY, nanoClock);
    }

    /** A request the failure cost a 500 (failed to limit count). */
    void refused(Throwable failure) {
        outage.failed(cause(failure), REFUSED, 1);
    }

    /** A request that went on uncounted because its limit allows degradation. */
    void letThrough(Throwable failure) {
        outage.failed(cause(failure), LET_THROUGH, 1);
    }

    /** Redis answered a request. */
    void answered() {
        outage.recovered();
    }

    /** The failure itself, not the future that carried it. */
    private static String cause(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    private static String counts(Map<String, Long> byKind) {
        return byKind.entrySet().stream().map(e -> e.getValue() + " requests " + e.getKey()).collect(Collectors.joining(", "));
    }

    private final class Wording implements OutageLog.Lines {
        @Override
        public void started(String cause, String kind, long count) {
            log.warn("limit-count: Redis {} failed ({}); the request was {}; further failures are summarised every {} s"
                    + " until Redis answers again", server, cause, kind, OutageLog.SUMMARY_EVERY.toSeconds());
        }

        @Override
        public void failing(String cause, Map<String, Long> since, Duration elapsed) {
            log.warn("limit-count: Redis {} still failing ({}); in the last {} s: {}", server, cause, elapsed.toSeconds(),
                    counts(since));
        }

        @Override
        public void ended(Map<String, Long> total) {
            log.info("limit-count: Redis {} answers again; while it failed: {}", server, counts(total));
        }
    }
}
