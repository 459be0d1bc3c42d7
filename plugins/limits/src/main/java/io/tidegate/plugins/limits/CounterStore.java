package io.tidegate.plugins.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of one limit (a route's, or a group's), one bucket4j bucket per key: {@code count}
 * requests, refilled all at once every {@code time_window}, so each key gets a fixed window that
 * starts with its first request, as APISIX's local limit-count. A key idle for a whole window is
 * dropped on the next sweep (its bucket would be full again anyway), so memory follows the keys
 * active in the last window, never every key ever seen.
 */
final class CounterStore implements AutoCloseable {
    private final long count;
    private final Duration window;
    private final long windowNanos;
    private final Map<String, Entry> buckets = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep;

    private static final class Entry {
        final Bucket bucket;
        volatile long lastUsed;

        Entry(Bucket bucket, long now) {
            this.bucket = bucket;
            this.lastUsed = now;
        }
    }

    CounterStore(long count, Duration window) {
        this.count = count;
        this.window = window;
        this.windowNanos = window.toNanos();
        this.nextSweep = new AtomicLong(System.nanoTime() + windowNanos);
    }

    /** The bucket of a key, created on first use. */
    Bucket bucket(String key) {
        long now = System.nanoTime();
        sweepIfDue(now);
        Entry entry = buckets.computeIfAbsent(key, k -> new Entry(newBucket(), now));
        entry.lastUsed = now;
        return entry.bucket;
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(count).refillIntervally(count, window).build())
                .build();
    }

    /** At most once per window, one caller removes the keys idle for a whole window. */
    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        if (now - due < 0 || !nextSweep.compareAndSet(due, now + windowNanos)) {
            return;
        }
        for (Iterator<Entry> it = buckets.values().iterator(); it.hasNext(); ) {
            if (now - it.next().lastUsed > windowNanos) {
                it.remove();
            }
        }
    }

    int size() {
        return buckets.size();
    }

    /** Nothing to release: the buckets are plain memory. */
    @Override
    public void close() {}
}
