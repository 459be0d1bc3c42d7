package io.tidegate.plugins.proxycache;

import java.util.List;
import java.util.Map;

/**
 * One stored response: its status and headers (hop-by-hop, Content-Length, Date and the cache's own
 * headers left out), when it was stored and for how long it is fresh, and its body: held here in a
 * memory zone, in a file in a disk zone (null here).
 */
record CachedEntry(int status, Map<String, List<String>> headers, long storedAtMillis, long ttlMillis, byte[] body,
                   long bodyLength) {
    boolean freshAt(long nowMillis) {
        return nowMillis - storedAtMillis <= ttlMillis;
    }

    long ageSeconds(long nowMillis) {
        return Math.max(0, (nowMillis - storedAtMillis) / 1000);
    }

    /** Roughly what it costs in memory: what a zone's size counts. */
    long weight() {
        long weight = 128 + (body == null ? 0 : body.length);
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            weight += 32 + header.getKey().length();
            for (String value : header.getValue()) {
                weight += 16 + value.length();
            }
        }
        return weight;
    }
}
