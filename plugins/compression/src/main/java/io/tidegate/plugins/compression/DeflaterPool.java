package io.tidegate.plugins.compression;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;

/**
 * Deflaters kept for reuse, per level: making one per response (zlib's init allocates its window
 * and hash tables) showed in the gzip benchmark's profile. Bounded; closing ends them all.
 */
final class DeflaterPool implements AutoCloseable {
    private static final int KEPT_PER_LEVEL = 64;

    private final ConcurrentLinkedQueue<Deflater>[] idle;
    private final AtomicInteger[] counts;

    @SuppressWarnings("unchecked")
    DeflaterPool() {
        idle = new ConcurrentLinkedQueue[10];
        counts = new AtomicInteger[10];
        for (int level = 0; level < 10; level++) {
            idle[level] = new ConcurrentLinkedQueue<>();
            counts[level] = new AtomicInteger();
        }
    }

    /** A raw deflater (no zlib header: gzip writes its own) at {@code level}. */
    Deflater take(int level) {
        Deflater deflater = idle[level].poll();
        if (deflater == null) {
            return new Deflater(level, true);
        }
        counts[level].decrementAndGet();
        return deflater;
    }

    /** Back for the next response, reset; ended instead when enough are kept. */
    void give(int level, Deflater deflater) {
        if (counts[level].incrementAndGet() > KEPT_PER_LEVEL) {
            counts[level].decrementAndGet();
            deflater.end();
            return;
        }
        deflater.reset();
        idle[level].offer(deflater);
    }

    @Override
    public void close() {
        for (ConcurrentLinkedQueue<Deflater> queue : idle) {
            Deflater deflater;
            while ((deflater = queue.poll()) != null) {
                deflater.end();
            }
        }
    }
}
