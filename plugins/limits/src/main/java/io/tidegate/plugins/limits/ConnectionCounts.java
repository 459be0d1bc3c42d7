package io.tidegate.plugins.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Requests in progress per key; a key leaves the map when its last request ends. */
final class ConnectionCounts implements AutoCloseable {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    /** Counts one more request in; returns how many are in progress for the key now. */
    int enter(String key) {
        return counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    void leave(String key) {
        counts.computeIfPresent(key, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    int current(String key) {
        AtomicInteger count = counts.get(key);
        return count == null ? 0 : count.get();
    }

    int size() {
        return counts.size();
    }

    /** Nothing to release: the counts are plain memory. */
    @Override
    public void close() {}
}
