package io.tidegate.plugins.loggers;

import java.util.Collection;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A batch processor's waiting entries: bounded, and without a lock, since every request's IO
 * thread adds to it while the processor's thread takes batches out. A lock here (an
 * ArrayBlockingQueue's, taken three times per entry) had the IO threads wait on the batch
 * thread's drain and on each other.
 */
final class EntryQueue {
    private final ConcurrentLinkedQueue<BatchProcessor.Entry> entries = new ConcurrentLinkedQueue<>();
    /** Counted apart: the queue's own size() walks every node. Counts a place before taking it, so never over capacity. */
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    EntryQueue(int capacity) {
        this.capacity = capacity;
    }

    /** Adds {@code entry} unless full; returns how many wait with it, or 0 when it was refused. */
    int offer(BatchProcessor.Entry entry) {
        int waiting = size.incrementAndGet();
        if (waiting > capacity) {
            size.decrementAndGet();
            return 0;
        }
        entries.offer(entry);
        return waiting;
    }

    /** Takes {@code entry} back out; false when it was already taken into a batch. */
    boolean remove(BatchProcessor.Entry entry) {
        if (entries.remove(entry)) {
            size.decrementAndGet();
            return true;
        }
        return false;
    }

    /** Moves up to {@code most} entries, oldest first, into {@code batch}. */
    void drainTo(Collection<BatchProcessor.Entry> batch, int most) {
        for (int taken = 0; taken < most; taken++) {
            BatchProcessor.Entry entry = entries.poll();
            if (entry == null) {
                return;
            }
            size.decrementAndGet();
            batch.add(entry);
        }
    }

    int size() {
        return size.get();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }
}
