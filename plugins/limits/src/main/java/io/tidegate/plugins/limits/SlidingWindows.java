package io.tidegate.plugins.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@code window_type: sliding} in this node: APISIX's sliding window (apache/apisix#11880). Time is
 * cut into windows of {@code time_window} aligned on the epoch (not on a key's first request); per
 * key two counts are kept, the current window's and the previous one's. A request is let through
 * while the estimate of the last {@code time_window} seconds, the previous window's count weighted
 * by the part of it still inside the sliding window plus the current window's count, is below
 * {@code count}: a burst at the end of one window therefore still counts at the start of the next,
 * where a fixed window would let a second full {@code count} through.
 *
 * <p>{@link RedisCounters#slide} makes the same decision in Redis (its script mirrors
 * {@link Count#admits}); both report through {@link Count#verdict}.
 */
final class SlidingWindows implements AutoCloseable {
    private final long limit;
    private final long windowMillis;
    private final LongSupplier clockMillis;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep;

    /** One key's counts: of window {@code number} and of the one before it. */
    private static final class Window {
        long number;
        long count;
        long previous;
        /** Swept out of the map: whoever still holds it looks the key up again. */
        boolean removed;
    }

    /**
     * What one attempt found: whether it was let through, the current window's count (after it, if
     * let through), the previous window's count (at most the limit) and the milliseconds left in
     * the current window.
     */
    record Count(boolean accepted, long count, long previous, long millisLeft) {
        /**
         * APISIX's check: refused when the current window alone is full, or when the previous
         * window's weighted share plus the current count reaches the limit (before this request).
         */
        static boolean admits(long limit, long windowMillis, long current, long previous, long millisLeft) {
            return current < limit && (double) previous * millisLeft / windowMillis + current < limit;
        }

        /**
         * The answer for the client, as APISIX reports it: let through with
         * {@code floor(count - current - weighted previous)} left (never below 0 here) and the rest
         * of the window until reset; refused with the time until the previous window's share has
         * shrunk enough for one more request (the rest of the window when the current one alone is
         * full).
         */
        LimitCountInstance.Verdict verdict(long limit, long windowMillis) {
            double weighted = (double) previous * millisLeft / windowMillis;
            if (accepted) {
                long remaining = (long) Math.floor(limit - count - weighted);
                return new LimitCountInstance.Verdict(true, Math.max(0, remaining), millisLeft * 1_000_000L);
            }
            double waitMillis = millisLeft;
            if (count < limit && previous > 0) {
                // the previous window's share shrinks at previous / window per millisecond
                waitMillis = Math.max(0, millisLeft - (double) (limit - count) * windowMillis / previous);
            }
            return new LimitCountInstance.Verdict(false, 0, (long) Math.ceil(waitMillis * 1_000_000L));
        }
    }

    SlidingWindows(long limit, long windowMillis) {
        this(limit, windowMillis, System::currentTimeMillis);
    }

    SlidingWindows(long limit, long windowMillis, LongSupplier clockMillis) {
        this.limit = limit;
        this.windowMillis = windowMillis;
        this.clockMillis = clockMillis;
        this.nextSweep = new AtomicLong(clockMillis.getAsLong() + windowMillis);
    }

    long windowMillis() {
        return windowMillis;
    }

    /** One request of {@code key}: counted when let through, not counted when refused. */
    Count take(String key) {
        long now = clockMillis.getAsLong();
        sweepIfDue(now);
        long number = Math.floorDiv(now, windowMillis);
        long millisLeft = windowMillis - Math.floorMod(now, windowMillis);
        while (true) {
            Window window = windows.computeIfAbsent(key, k -> new Window());
            synchronized (window) {
                if (!window.removed) {
                    return take(window, number, millisLeft);
                }
            }
        }
    }

    /** Counts in {@code window}, which the caller holds the lock of. */
    private Count take(Window window, long number, long millisLeft) {
        // a clock set back keeps counting in the newest window rather than forgetting it
        if (number > window.number) {
            window.previous = window.number == number - 1 ? window.count : 0;
            window.count = 0;
            window.number = number;
        }
        long previous = Math.min(window.previous, limit);
        if (!Count.admits(limit, windowMillis, window.count, previous, millisLeft)) {
            return new Count(false, window.count, previous, millisLeft);
        }
        window.count++;
        return new Count(true, window.count, previous, millisLeft);
    }

    /**
     * At most once per window, one caller removes the keys untouched for two windows (both their
     * counts are out of the sliding window). A thread that found the key before it went looks it
     * up again, so no request is counted in a window that is gone.
     */
    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        if (now < due || !nextSweep.compareAndSet(due, now + windowMillis)) {
            return;
        }
        long current = Math.floorDiv(now, windowMillis);
        windows.values().removeIf(window -> {
            synchronized (window) {
                window.removed = window.number < current - 1;
                return window.removed;
            }
        });
    }

    int size() {
        return windows.size();
    }

    /** Nothing to release: the counts are plain memory. */
    @Override
    public void close() {}
}
