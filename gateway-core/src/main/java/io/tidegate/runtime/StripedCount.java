package io.tidegate.runtime;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A count spread over cells, one per stripe (an IO thread's number), each on a cache line of its
 * own: counting a request touches only its IO thread's line, so IO threads never contend. A cell
 * is counted down only by the stripe that counted it up, so no cell goes below zero and the count
 * is zero exactly when every cell is.
 */
final class StripedCount {
    /** Longs per cell: 128 bytes apart, so two cells never share a cache line (nor its neighbour, for the prefetcher). */
    private static final int SPACING = 16;

    private final AtomicLongArray cells;
    private final int mask;

    /** @param stripes how many cells; rounded up to a power of two */
    StripedCount(int stripes) {
        int size = Integer.highestOneBit(Math.max(1, stripes - 1)) << 1;
        this.cells = new AtomicLongArray(size * SPACING);
        this.mask = size - 1;
    }

    void increment(int stripe) {
        cells.getAndIncrement((stripe & mask) * SPACING);
    }

    void decrement(int stripe) {
        cells.getAndDecrement((stripe & mask) * SPACING);
    }

    /** Whether nothing is counted; exact when no increment races it, never true while an increment it follows stands. */
    boolean isZero() {
        for (int i = 0; i < cells.length(); i += SPACING) {
            if (cells.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
