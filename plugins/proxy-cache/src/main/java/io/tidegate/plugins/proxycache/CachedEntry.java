package io.tidegate.plugins.proxycache;

import io.tidegate.plugin.api.PhaseResult;
import java.util.List;
import java.util.Map;

/**
 * One stored response: its status and headers (hop-by-hop, Content-Length, Date and the cache's own
 * headers left out), when it was stored and for how long it is fresh, and its body: held here in a
 * memory zone, in a file in a disk zone (null here). Immutable but for the last hit answer made of
 * it, kept so that the hits of one second share one answer instead of building it again.
 */
final class CachedEntry {
    /** A hit answer and what it was made for: its Age and whether cache headers were hidden. */
    record Answer(long ageSeconds, boolean hidden, PhaseResult result) {}

    private final int status;
    private final Map<String, List<String>> headers;
    private final long storedAtMillis;
    private final long ttlMillis;
    private final byte[] body;
    private final long bodyLength;
    private volatile Answer lastAnswer;

    CachedEntry(int status, Map<String, List<String>> headers, long storedAtMillis, long ttlMillis, byte[] body, long bodyLength) {
        this.status = status;
        this.headers = headers;
        this.storedAtMillis = storedAtMillis;
        this.ttlMillis = ttlMillis;
        this.body = body;
        this.bodyLength = bodyLength;
    }

    int status() {
        return status;
    }

    Map<String, List<String>> headers() {
        return headers;
    }

    long storedAtMillis() {
        return storedAtMillis;
    }

    long ttlMillis() {
        return ttlMillis;
    }

    byte[] body() {
        return body;
    }

    long bodyLength() {
        return bodyLength;
    }

    boolean freshAt(long nowMillis) {
        return nowMillis - storedAtMillis <= ttlMillis;
    }

    long ageSeconds(long nowMillis) {
        return Math.max(0, (nowMillis - storedAtMillis) / 1000);
    }

    /** The hit answer last made for this Age and hiding, or null. */
    PhaseResult answer(long ageSeconds, boolean hidden) {
        Answer last = lastAnswer;
        return last != null && last.ageSeconds() == ageSeconds && last.hidden() == hidden ? last.result() : null;
    }

    void keepAnswer(long ageSeconds, boolean hidden, PhaseResult result) {
        lastAnswer = new Answer(ageSeconds, hidden, result);
    }

    /** Roughly what it costs in memory, its kept answer's copy of the body included: what a zone's size counts. */
    long weight() {
        long weight = 128 + (body == null ? 0 : 2L * body.length);
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            weight += 32 + header.getKey().length();
            for (String value : header.getValue()) {
                weight += 16 + value.length();
            }
        }
        return weight;
    }
}
