package io.tidegate.plugins.limits;

import io.tidegate.plugin.api.OutageLog;
import io.tidegate.plugin.api.PluginLog;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * limit-count's words for a Redis server that fails. While it is down every request of every
 * limit using it fails, so a line per request would flood the log at production rates;
 * {@link OutageLog} decides when a line is due (the first failure with its cause, a summary per
 * {@link OutageLog#SUMMARY_EVERY} of the requests refused and let through since, one line when
 * Redis answers again with the totals) and this class writes it. One per Redis client, shared by
 * every limit that uses the server, whatever their {@code allow_degradation}; its lines go to the
 * log of the limit that made the client (the plugin's log names the plugin).
 */
final class RedisOutage {
    static final String REFUSED = "refused with 500";
    static final String LET_THROUGH = "let through uncounted (allow_degradation)";

    private final String server;
    private final PluginLog log;
    private final OutageLog outage;

    RedisOutage(String server, PluginLog log) {
        this(server, log, System::nanoTime);
    }

    RedisOutage(String server, PluginLog log, LongSupplier nanoClock) {
        this.server = server;
        this.log = log;
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
            log.warn("Redis {} failed ({}); the request was {}; further failures are summarised every {} s"
                    + " until Redis answers again", server, cause, kind, OutageLog.SUMMARY_EVERY.toSeconds());
        }

        @Override
        public void failing(String cause, Map<String, Long> since, Duration elapsed) {
            log.warn("Redis {} still failing ({}); in the last {} s: {}", server, cause, elapsed.toSeconds(),
                    counts(since));
        }

        @Override
        public void ended(Map<String, Long> total) {
            log.info("Redis {} answers again; while it failed: {}", server, counts(total));
        }
    }
}
