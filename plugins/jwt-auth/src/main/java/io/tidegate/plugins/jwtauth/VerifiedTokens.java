package io.tidegate.plugins.jwtauth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens whose signature one route instance already verified, so a client that sends the same
 * token on every request pays for parsing and signature checks once. Keyed by the whole token
 * (signature included), so any altered token misses; the time claims are still checked on every
 * hit. Bounded: when full it starts over. A new configuration version brings a new, empty cache.
 */
final class VerifiedTokens {
    static final int MAX_ENTRIES = 10_000;

    /** A verified token's consumer and the window (epoch millis, grace included) in which it holds. */
    record Verified(ConsumerVerifier consumer, long notBeforeMillis, long expiresMillis) {
        boolean validAt(long nowMillis) {
            return nowMillis >= notBeforeMillis && nowMillis <= expiresMillis;
        }
    }

    private final Map<String, Verified> tokens = new ConcurrentHashMap<>();

    Verified get(String token) {
        return tokens.get(token);
    }

    void put(String token, Verified verified) {
        if (tokens.size() >= MAX_ENTRIES) {
            tokens.clear();
        }
        tokens.put(token, verified);
    }
}
