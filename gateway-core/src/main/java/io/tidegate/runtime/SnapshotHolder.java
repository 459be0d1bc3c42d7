package io.tidegate.runtime;

import java.util.Objects;

/** The one place the serving snapshot changes: a volatile reference, swapped atomically. */
public final class SnapshotHolder {
    private volatile Snapshot current;

    public SnapshotHolder(Snapshot initial) {
        this.current = Objects.requireNonNull(initial);
    }

    public Snapshot current() {
        return current;
    }

    public void swap(Snapshot next) {
        current = Objects.requireNonNull(next);
    }
}
