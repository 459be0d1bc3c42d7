package io.tidegate.plugins.traffic;

import java.util.concurrent.ConcurrentHashMap;

/**
 * api-breaker's counters, per Host and path as APISIX keys them, kept across configuration
 * versions (the plugin's shared state), so a reload neither closes an open breaker nor forgets
 * failures. Only paths whose upstream failed get an entry. Bounded: when full, the paths whose
 * breaker is not open are let go first, and a new path is not tracked while every entry holds an
 * open breaker (so many Hosts or paths cannot reset the breakers that protect an upstream).
 */
final class BreakerStates implements AutoCloseable {
    private static final int MAX_PATHS = 10_000;

    /** One path's counters; synchronized on itself (a few increments per request, never contended long). */
    static final class State {
        int unhealthy;
        int healthy;
        /** When the last run of failures ended, epoch seconds; 0: none. */
        long openedAt;
        /** openedAt is forgotten after this many seconds (APISIX sets it with exptime max_breaker_sec). */
        long openedFor;
    }

    private final ConcurrentHashMap<String, State> byPath = new ConcurrentHashMap<>();

    State existing(String key) {
        return byPath.get(key);
    }

    /** The path's state, made when missing; null when the table is full of open breakers. */
    State created(String key, long now) {
        State held = byPath.get(key);
        if (held != null) {
            return held;
        }
        if (byPath.size() >= MAX_PATHS) {
            byPath.entrySet().removeIf(entry -> {
                State state = entry.getValue();
                synchronized (state) {
                    return state.openedAt == 0 || now > state.openedAt + state.openedFor;
                }
            });
            if (byPath.size() >= MAX_PATHS) {
                return null;
            }
        }
        return byPath.computeIfAbsent(key, k -> new State());
    }

    void forget(String key) {
        byPath.remove(key);
    }

    @Override
    public void close() {
        byPath.clear();
    }
}
