package io.tidegate.plugins.proxycache;

import com.github.benmanes.caffeine.cache.Expiry;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * How long a zone keeps an entry: until {@link #KEPT_STALE_MILLIS} after it stops being fresh (it
 * answers EXPIRED meanwhile and is replaced), as nginx keeps an inactive entry for 10 minutes. A
 * read does not extend it.
 */
final class KeptStale<V> implements Expiry<String, V> {
    static final long KEPT_STALE_MILLIS = 600_000;

    private final ToLongFunction<V> head;

    /** @param entry the entry's head of a value */
    KeptStale(java.util.function.Function<V, CachedEntry> entry) {
        this.head = value -> {
            CachedEntry e = entry.apply(value);
            return e.storedAtMillis() + e.ttlMillis() + KEPT_STALE_MILLIS;
        };
    }

    @Override
    public long expireAfterCreate(String key, V value, long now) {
        return TimeUnit.MILLISECONDS.toNanos(Math.max(0, head.applyAsLong(value) - System.currentTimeMillis()));
    }

    @Override
    public long expireAfterUpdate(String key, V value, long now, long current) {
        return expireAfterCreate(key, value, now);
    }

    @Override
    public long expireAfterRead(String key, V value, long now, long current) {
        return current;
    }
}
