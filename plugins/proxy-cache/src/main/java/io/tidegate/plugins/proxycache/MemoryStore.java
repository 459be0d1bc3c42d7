package io.tidegate.plugins.proxycache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A memory zone: entries in a Caffeine cache bounded by their weight in bytes ({@code memory_size}),
 * least valuable out first, each kept as {@link KeptStale} says.
 */
final class MemoryStore implements CacheStore {
    private final Cache<String, CachedEntry> entries;
    private final long memorySize;

    MemoryStore(long memorySize) {
        this.memorySize = memorySize;
        this.entries = Caffeine.newBuilder()
                .maximumWeight(memorySize)
                .weigher((String key, CachedEntry entry) -> (int) Math.min(Integer.MAX_VALUE, entry.weight() + key.length()))
                .expireAfter(new KeptStale<CachedEntry>(entry -> entry))
                .build();
    }

    @Override
    public CachedEntry entry(String key) {
        return entries.getIfPresent(key);
    }

    @Override
    public CompletionStage<byte[]> body(String key, CachedEntry entry) {
        return CompletableFuture.completedFuture(entry.body());
    }

    @Override
    public Writer writer(String key, CachedEntry head, long maxBodyBytes) {
        long maxEntryBytes = Math.min(maxBodyBytes, memorySize);
        return new Writer() {
            private final ByteArrayOutputStream body = new ByteArrayOutputStream();
            private boolean open = true;

            @Override
            public boolean write(ByteBuffer data) {
                if (!open) {
                    return false;
                }
                if (body.size() + (long) data.remaining() >= maxEntryBytes) {
                    abort();
                    return false;
                }
                byte[] bytes = new byte[data.remaining()];
                data.duplicate().get(bytes);
                body.writeBytes(bytes);
                return true;
            }

            @Override
            public void commit() {
                if (open) {
                    open = false;
                    byte[] bytes = body.toByteArray();
                    entries.put(key, new CachedEntry(head.status(), head.headers(), head.storedAtMillis(), head.ttlMillis(), bytes, bytes.length));
                }
            }

            @Override
            public void abort() {
                open = false;
            }
        };
    }

    @Override
    public boolean remove(String key) {
        return entries.asMap().remove(key) != null;
    }

    @Override
    public boolean removeStartingWith(String prefix) {
        return entries.asMap().keySet().removeIf(key -> key.startsWith(prefix));
    }

    @Override
    public void close() {
        entries.invalidateAll();
    }
}
