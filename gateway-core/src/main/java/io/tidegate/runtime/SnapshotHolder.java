package io.tidegate.runtime;

import java.util.Objects;

/**
 * The one place the serving snapshot changes: a volatile reference, swapped atomically. It also
 * knows whether the configuration's source has been read yet: a gateway fed by etcd may have to
 * listen before etcd answers, and must not serve its empty start-up version as if it were etcd's.
 */
public final class SnapshotHolder {
    private volatile Snapshot current;
    private volatile boolean loaded;

    private SnapshotHolder(Snapshot initial, boolean loaded) {
        this.current = Objects.requireNonNull(initial);
        this.loaded = loaded;
    }

    /** Holds a version read from the source. */
    public SnapshotHolder(Snapshot initial) {
        this(initial, true);
    }

    /** Holds a stand-in until {@link #loaded} versions follow. */
    public static SnapshotHolder awaitingSource(Snapshot standIn) {
        return new SnapshotHolder(standIn, false);
    }

    public Snapshot current() {
        return current;
    }

    public void swap(Snapshot next) {
        current = Objects.requireNonNull(next);
    }

    /** The source's configuration serves from now on (call after swapping it in). */
    public void markLoaded() {
        loaded = true;
    }

    /** Whether the serving version comes from the source; read it before {@link #current}. */
    public boolean loaded() {
        return loaded;
    }
}
