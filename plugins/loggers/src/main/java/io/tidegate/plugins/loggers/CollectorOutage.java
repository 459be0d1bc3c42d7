package io.tidegate.plugins.loggers;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a collector's failures without flooding the gateway's own log: while the collector is down
 * a busy route loses a batch many times a second, so the first lost batch is logged with its
 * cause, then one summary per {@link #SUMMARY_EVERY} of what was lost since, and one line when
 * batches get through again. Used by the single sender thread only.
 */
final class CollectorOutage {
    static final Duration SUMMARY_EVERY = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(CollectorOutage.class);

    private final String logger;
    private final LongSupplier nanoClock;
    private boolean down;
    private long lostSinceSummary;
    private long lostInOutage;
    private long lastSummaryNanos;

    CollectorOutage(String logger) {
        this(logger, System::nanoTime);
    }

    CollectorOutage(String logger, LongSupplier nanoClock) {
        this.logger = logger;
        this.nanoClock = nanoClock;
    }

    void tryFailed(String failure, int attempt, int attempts) {
        if (!down && attempt < attempts) {
            log.warn("{}: {} (try {} of {}, retrying)", logger, failure, attempt, attempts);
        }
    }

    void batchLost(String failure, int entries) {
        long now = nanoClock.getAsLong();
        lostSinceSummary += entries;
        lostInOutage += entries;
        if (!down) {
            log.error("{}: batch of {} entries dropped: {}", logger, entries, failure);
        } else if (now - lastSummaryNanos >= SUMMARY_EVERY.toNanos()) {
            log.error("{}: collector still failing ({}); {} entries dropped in the last {} s", logger, failure,
                    lostSinceSummary, SUMMARY_EVERY.toSeconds());
        } else {
            return;
        }
        down = true;
        lostSinceSummary = 0;
        lastSummaryNanos = now;
    }

    void delivered() {
        if (down) {
            log.info("{}: collector accepts batches again; {} entries were dropped while it failed", logger, lostInOutage);
            down = false;
            lostSinceSummary = 0;
            lostInOutage = 0;
        }
    }
}
