package io.tidegate.plugins.proxycache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tidegate.plugin.api.PluginContext;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one cache zone keeps for every route using it, across configuration versions: its store,
 * the Vary index (which request headers split a key into variants, and which variants exist), and
 * the fetches in flight, so that concurrent misses of one key make one upstream request.
 */
final class CacheZoneState implements AutoCloseable {
    /** A key's variants: the request headers its response varies on (lower case, sorted) and the variants stored. */
    record Variants(List<String> headers, Set<String> signatures) {}

    private static final int MAX_VARIANTS = 64;

    final CacheStore store;
    private final Cache<String, Variants> variants = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(Duration.ofHours(1)).build();
    private final ConcurrentHashMap<String, CompletableFuture<Void>> fetching = new ConcurrentHashMap<>();

    CacheZoneState(CacheStore store) {
        this.store = store;
    }

    /** Where a request's response to {@code base} is stored: the key itself, or its variant for the request's headers. */
    String storageKey(String base, PluginContext context) {
        Variants known = variants.getIfPresent(base);
        return known == null ? base : variantKey(base, known.headers(), context);
    }

    /**
     * A variant's key: the base key, then each varied header's values (all of them: a cookie sent
     * in several fields too) after their length. A base key is made of length-prefixed parts, so
     * no base key equals a variant key.
     */
    static String variantKey(String base, List<String> headers, PluginContext context) {
        StringBuilder key = new StringBuilder(base).append("|vary");
        for (String header : headers) {
            String value = String.join(header.equals("cookie") ? "; " : ", ", context.request().headers(header));
            key.append('|').append(value.length()).append(':').append(value);
        }
        return key.toString();
    }

    /** The prefix every variant key of {@code base} starts with. */
    static String variantPrefix(String base) {
        return base + "|vary";
    }

    /** Records that {@code variantKey} of {@code base} was stored, varying on {@code headers}. */
    synchronized void addVariant(String base, List<String> headers, String variantKey) {
        Variants known = variants.getIfPresent(base);
        if (known == null || !known.headers().equals(headers)) {
            if (known != null) {
                known.signatures().forEach(store::remove);
            }
            store.remove(base);
            known = new Variants(headers, new java.util.LinkedHashSet<>());
        }
        Set<String> signatures = known.signatures();
        if (signatures.add(variantKey) && signatures.size() > MAX_VARIANTS) {
            String oldest = signatures.iterator().next();
            signatures.remove(oldest);
            store.remove(oldest);
        }
        variants.put(base, known);
    }

    /** A response without Vary replaces every variant of its key. */
    synchronized void dropVariants(String base) {
        Variants known = variants.asMap().remove(base);
        if (known != null) {
            known.signatures().forEach(store::remove);
        }
    }

    /**
     * PURGE: the key and every variant of it, those the Vary index no longer knows (expired, or
     * from before a restart) too; whether anything was there.
     */
    synchronized boolean purge(String base) {
        Variants known = variants.asMap().remove(base);
        boolean removed = known != null;
        if (known != null) {
            for (String key : known.signatures()) {
                removed |= store.remove(key);
            }
        }
        removed |= store.removeStartingWith(variantPrefix(base));
        return store.remove(base) | removed;
    }

    /** The caller's claim to fetch {@code key}, or null when another request fetches it already (then {@link #awaiting}). */
    CompletableFuture<Void> claim(String key) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        return fetching.putIfAbsent(key, mine) == null ? mine : null;
    }

    /** The fetch in flight for {@code key}, or null. */
    CompletableFuture<Void> awaiting(String key) {
        return fetching.get(key);
    }

    /** The fetch is over (stored or not): requests waiting for it look again. */
    void release(String key, CompletableFuture<Void> claim) {
        fetching.remove(key, claim);
        claim.complete(null);
    }

    @Override
    public void close() {
        store.close();
        fetching.values().forEach(waiting -> waiting.complete(null));
    }
}
