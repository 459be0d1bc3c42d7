package io.tidegate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.route.Router;
import io.tidegate.tls.CertificateTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Holding versions while they are swapped, without a lock: none closes under a holder, every replaced one closes. */
class SnapshotHolderTest {
    private static Snapshot snapshot(long version) {
        return new Snapshot(version, Router.<ActiveRoute>builder().build(), null, CertificateTable.builder().build(), 0, 0, PluginUse.NONE, java.util.Map.of(), java.util.Map.of(), java.util.Map.of());
    }

    @Test
    void aVersionClosesOnceItIsReplacedAndItsLastHolderLetsGo() {
        List<Long> closed = new ArrayList<>();
        SnapshotHolder holder = new SnapshotHolder(snapshot(1), 2, s -> closed.add(s.version()));
        ServingVersion first = holder.hold(0);
        ServingVersion again = holder.hold(1);
        holder.swap(snapshot(2));
        assertEquals(List.of(), closed, "held twice");
        first.release(0);
        assertEquals(List.of(), closed, "still held once");
        again.release(1);
        assertEquals(List.of(1L), closed);
        holder.swap(snapshot(3));
        assertEquals(List.of(1L, 2L), closed, "replaced with no holder: closed at once");
        assertEquals(0, holder.heldReplaced());
        holder.closeAll();
        assertEquals(List.of(1L, 2L, 3L), closed);
    }

    /**
     * Four threads hold and release the current version as fast as they can while another swaps
     * 20,000 times: a holder never finds its version closed, and every replaced version is closed
     * exactly once.
     */
    @Test
    void racingHoldersNeverSeeTheirVersionClosedAndEveryReplacedOneCloses() throws Exception {
        Set<Long> closed = ConcurrentHashMap.newKeySet();
        AtomicInteger closedTwice = new AtomicInteger();
        SnapshotHolder holder = new SnapshotHolder(snapshot(0), 4, s -> {
            if (!closed.add(s.version())) {
                closedTwice.incrementAndGet();
            }
        });
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger closedUnderHolder = new AtomicInteger();
        AtomicInteger holds = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int stripe = t;
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    ServingVersion version = holder.hold(stripe);
                    if (version.isClosed() || closed.contains(version.snapshot().version())) {
                        closedUnderHolder.incrementAndGet();
                    }
                    Thread.onSpinWait();
                    if (version.isClosed()) {
                        closedUnderHolder.incrementAndGet();
                    }
                    version.release(stripe);
                    holds.incrementAndGet();
                }
            });
            thread.start();
            threads.add(thread);
        }
        int swaps = 20_000;
        for (int v = 1; v <= swaps; v++) {
            holder.swap(snapshot(v));
        }
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(0, closedUnderHolder.get(), "a version closed while a request held it");
        assertEquals(0, closedTwice.get());
        assertEquals(swaps, closed.size(), "every replaced version closed");
        assertEquals(0, holder.heldReplaced());
        assertTrue(holds.get() > 1000, "the holders ran: " + holds.get());
    }
}
