package io.tidegate.plugins.loggers;

import io.tidegate.plugin.api.OutageLog;
import io.tidegate.plugin.api.PluginLog;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * http-logger's words for a collector's failures. While the collector is down a busy route loses
 * a batch many times a second; {@link OutageLog} decides when a line is due (the first lost batch,
 * a summary per {@link OutageLog#SUMMARY_EVERY}, the recovery), this class writes it. Used by the
 * single sender thread only.
 */
final class CollectorOutage {
    private static final String DROPPED = "entries dropped";

    private final PluginLog log;
    private final String logger;
    private final OutageLog outage;

    /** @param logger names the collector at the start of each line (the plugin's log names the plugin) */
    CollectorOutage(PluginLog log, String logger) {
        this(log, logger, System::nanoTime);
    }

    CollectorOutage(PluginLog log, String logger, LongSupplier nanoClock) {
        this.log = log;
        this.logger = logger;
        this.outage = new OutageLog(new Wording(), OutageLog.SUMMARY_EVERY, nanoClock);
    }

    /** A try that will be retried: worth a line only while the collector is not known to be down. */
    void tryFailed(String failure, int attempt, int attempts) {
        if (!outage.failing() && attempt < attempts) {
            log.warn("{}: {} (try {} of {}, retrying)", logger, failure, attempt, attempts);
        }
    }

    void batchLost(String failure, int entries) {
        outage.failed(failure, DROPPED, entries);
    }

    void delivered() {
        outage.recovered();
    }

    private final class Wording implements OutageLog.Lines {
        @Override
        public void started(String cause, String kind, long count) {
            log.error("{}: batch of {} entries dropped: {}", logger, count, cause);
        }

        @Override
        public void failing(String cause, Map<String, Long> since, Duration elapsed) {
            log.error("{}: collector still failing ({}); {} entries dropped in the last {} s", logger, cause,
                    since.getOrDefault(DROPPED, 0L), elapsed.toSeconds());
        }

        @Override
        public void ended(Map<String, Long> total) {
            log.info("{}: collector accepts batches again; {} entries were dropped while it failed", logger,
                    total.getOrDefault(DROPPED, 0L));
        }
    }
}
