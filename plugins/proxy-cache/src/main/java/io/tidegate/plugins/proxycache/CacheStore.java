package io.tidegate.plugins.proxycache;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/** Where one zone keeps its responses: in memory or on disk. Thread-safe. */
interface CacheStore extends AutoCloseable {
    /** The entry under {@code key} (its body may still be on disk), or null. Cheap: no disk access. */
    CachedEntry entry(String key);

    /** The entry's body: at once from memory, read off the request's thread from disk; null when it went meanwhile. */
    CompletionStage<byte[]> body(String key, CachedEntry entry);

    /**
     * Starts storing a response under {@code key}: its body follows through the writer, which gives
     * up when the body reaches {@code maxBodyBytes} (or what the zone could ever hold).
     */
    Writer writer(String key, CachedEntry head, long maxBodyBytes);

    /** Removes the entry; whether there was one. */
    boolean remove(String key);

    /** Removes every entry whose key starts with {@code prefix} (a scan: for PURGE); whether there was one. */
    boolean removeStartingWith(String prefix);

    @Override
    void close();

    /** A response being stored as it streams to the client; nothing is visible until {@link #commit}. */
    interface Writer {
        /** Appends the next body bytes; false when the response got too large to store (the writer is then aborted). */
        boolean write(ByteBuffer data);

        /** The body is complete: the entry replaces any under its key. */
        void commit();

        /** Gives the entry up (the response failed or was cut short). */
        void abort();
    }
}
