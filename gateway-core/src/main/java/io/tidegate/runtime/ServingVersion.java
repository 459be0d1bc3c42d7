package io.tidegate.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One configuration version while requests may use it. Each request holds the version it started
 * on until its exchange completes; once a newer version replaced it, the last request to let go
 * closes it (its plugin instances), at once. So a replaced version lives exactly as long as a
 * request uses it, however fast versions follow each other: memory no longer grows with the write
 * rate times a fixed grace period.
 *
 * <p>Closing is decided without a lock. A holder counts itself up before it checks that the
 * version is still current ({@link SnapshotHolder#hold}); the swap marks the version replaced
 * before it looks at the count. Whichever of the two comes second sees the other, so a version is
 * never closed under a request that went on to use it, and the last release of a replaced version
 * always finds it unheld.
 */
public final class ServingVersion {
    private final Snapshot snapshot;
    private final StripedCount holders;
    private final Consumer<ServingVersion> onUnheld;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean replaced;

    /** @param onUnheld closes the version; called once, when it is replaced and no request holds it */
    ServingVersion(Snapshot snapshot, int stripes, Consumer<ServingVersion> onUnheld) {
        this.snapshot = snapshot;
        this.holders = new StripedCount(stripes);
        this.onUnheld = onUnheld;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** Counts a request on {@code stripe} (its IO thread's number) as holding this version. */
    void hold(int stripe) {
        holders.increment(stripe);
    }

    /** The request counted on {@code stripe} is done with this version; closes it when it was the last of a replaced one. */
    public void release(int stripe) {
        holders.decrement(stripe);
        if (replaced) {
            closeIfUnheld();
        }
    }

    /** A newer version serves: this one closes as soon as no request holds it (now, when none does). */
    void replace() {
        replaced = true;
        closeIfUnheld();
    }

    /** Closes now, held or not: the gateway is stopping. False when it was closed before. */
    boolean closeNow() {
        if (closed.compareAndSet(false, true)) {
            onUnheld.accept(this);
            return true;
        }
        return false;
    }

    public boolean isClosed() {
        return closed.get();
    }

    private void closeIfUnheld() {
        if (holders.isZero()) {
            closeNow();
        }
    }
}
