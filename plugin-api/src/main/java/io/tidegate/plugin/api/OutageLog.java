package io.tidegate.plugin.api;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Keeps an outage of something a plugin depends on (a log collector, a Redis server) from
 * flooding the gateway's log. While it is down a busy route fails many times a second; this turns
 * those failures into a few lines: the first failure with its cause, then at most one summary per
 * period ({@link #SUMMARY_EVERY}) of what was affected since, then one line when the dependency
 * answers again, with the total. The plugin words the lines ({@link Lines}); this class decides
 * when one is due and keeps the counts.
 *
 * <p>Failures are counted by kind, named in the plugin's words ("requests refused", "entries
 * dropped"), so one summary can say what happened to whom.
 *
 * <p>A dependency that flaps (fails, answers, fails again within a period) must not bring back
 * one line per failure: an outage that begins less than a period after the previous line is not
 * announced at once but reported by the next line that is due, as is its end if it ended
 * unannounced. So there are at most two lines per period (a due line, and the end of an outage it
 * announced), however the failures and answers interleave.
 *
 * <p>Thread-safe: failures and answers may be reported from any thread. Reporting an answer
 * while nothing is pending is one volatile read.
 */
public final class OutageLog {
    /** The shortest time between two summaries. */
    public static final Duration SUMMARY_EVERY = Duration.ofSeconds(10);

    /**
     * How a plugin words the three lines, typically one log call each. Called on the thread that
     * reported, one at a time and in order (under this log's lock, so keep it short).
     */
    public interface Lines {
        /** The first failure of an outage: its cause, and what it affected. */
        void started(String cause, String kind, long count);

        /**
         * Still failing (or failing again), with the latest cause: what was affected since the
         * previous line, by kind in the order the outage first saw them, over {@code elapsed}.
         */
        void failing(String cause, Map<String, Long> since, Duration elapsed);

        /** The dependency answers again: everything the outage affected, by kind in the order first seen. */
        void ended(Map<String, Long> total);
    }

    private final Lines lines;
    private final long periodNanos;
    private final LongSupplier nanoClock;

    private boolean down;
    /** The operator has been told of the current outage and not yet of its end. */
    private boolean announced;
    private boolean anyLine;
    private long lastLineNanos;
    private final Map<String, Long> sinceLastLine = new LinkedHashMap<>();
    private final Map<String, Long> inOutage = new LinkedHashMap<>();
    /** Nothing is down and nothing waits to be reported: an answer has nothing to do. */
    private volatile boolean settled = true;

    /** Summaries every {@link #SUMMARY_EVERY}, on the system's clock. */
    public OutageLog(Lines lines) {
        this(lines, SUMMARY_EVERY, System::nanoTime);
    }

    /** @param nanoClock a monotonic clock in nanoseconds, as {@link System#nanoTime} (tests pass their own) */
    public OutageLog(Lines lines, Duration period, LongSupplier nanoClock) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        this.lines = lines;
        this.periodNanos = period.toNanos();
        this.nanoClock = nanoClock;
    }

    /** One failure, which affected {@code count} things of {@code kind}. */
    public synchronized void failed(String cause, String kind, long count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0: " + count);
        }
        long now = nanoClock.getAsLong();
        boolean fresh = inOutage.isEmpty();
        sinceLastLine.merge(kind, count, Long::sum);
        inOutage.merge(kind, count, Long::sum);
        down = true;
        settled = false;
        if (!lineDue(now)) {
            return;
        }
        if (fresh) {
            lines.started(cause, kind, count);
        } else {
            lines.failing(cause, sinceLastLineInOutageOrder(), Duration.ofNanos(now - lastLineNanos));
        }
        announced = true;
        sinceLastLine.clear();
        lineWritten(now);
    }

    /** The dependency answered: ends the outage, if there is one. */
    public void recovered() {
        if (settled) {
            return;
        }
        synchronized (this) {
            down = false;
            if (inOutage.isEmpty()) {
                settled = true;
                return;
            }
            long now = nanoClock.getAsLong();
            if (!announced && !lineDue(now)) {
                return; // a flap within the period: the next line that is due reports it
            }
            lines.ended(snapshot(inOutage));
            announced = false;
            sinceLastLine.clear();
            inOutage.clear();
            settled = true;
            lineWritten(now);
        }
    }

    /** Whether the last report was a failure (for plugins that say less while their dependency is down). */
    public synchronized boolean failing() {
        return down;
    }

    private boolean lineDue(long now) {
        return !anyLine || now - lastLineNanos >= periodNanos;
    }

    private void lineWritten(long now) {
        anyLine = true;
        lastLineNanos = now;
    }

    /** Every line lists the kinds in one order, the order the outage first saw them. */
    private Map<String, Long> sinceLastLineInOutageOrder() {
        Map<String, Long> since = new LinkedHashMap<>();
        for (String kind : inOutage.keySet()) {
            Long count = sinceLastLine.get(kind);
            if (count != null) {
                since.put(kind, count);
            }
        }
        return Collections.unmodifiableMap(since);
    }

    private static Map<String, Long> snapshot(Map<String, Long> counts) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }
}
