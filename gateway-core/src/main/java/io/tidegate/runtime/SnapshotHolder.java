package io.tidegate.runtime;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The one place the serving snapshot changes: a volatile reference, swapped atomically. Requests
 * hold the version they start on ({@link #hold}) until they complete; a replaced version is closed
 * as soon as none does ({@link ServingVersion}). It also knows whether the configuration's source
 * has been read yet: a gateway fed by etcd may have to listen before etcd answers, and must not
 * serve its empty start-up version as if it were etcd's.
 */
public final class SnapshotHolder {
    private final int stripes;
    private final Consumer<Snapshot> close;
    /** Replaced versions that requests still hold. */
    private final Set<ServingVersion> held = ConcurrentHashMap.newKeySet();
    private volatile ServingVersion current;
    private volatile boolean loaded;

    /**
     * @param stripes how many IO threads count holders without contending (their numbers, modulo)
     * @param close   closes a version no request can use any more; it may be called on an IO
     *                thread, so it should hand blocking work elsewhere
     */
    private SnapshotHolder(Snapshot initial, boolean loaded, int stripes, Consumer<Snapshot> close) {
        this.stripes = stripes;
        this.close = close;
        this.current = version(Objects.requireNonNull(initial));
        this.loaded = loaded;
    }

    /** Holds a version read from the source. */
    public SnapshotHolder(Snapshot initial, int stripes, Consumer<Snapshot> close) {
        this(initial, true, stripes, close);
    }

    /** Holds a stand-in until {@link #loaded} versions follow. */
    public static SnapshotHolder awaitingSource(Snapshot standIn, int stripes, Consumer<Snapshot> close) {
        return new SnapshotHolder(standIn, false, stripes, close);
    }

    /** The serving snapshot, for a look that uses none of its plugins (a count, the certificates). */
    public Snapshot current() {
        return current.snapshot();
    }

    /**
     * The serving version, held for a request counted on {@code stripe} (its IO thread's number)
     * until it calls {@link ServingVersion#release} with the same stripe. Counts first and checks
     * after, so a swap that replaced the version meanwhile is seen and the next one taken.
     */
    public ServingVersion hold(int stripe) {
        while (true) {
            ServingVersion version = current;
            version.hold(stripe);
            if (version == current) {
                return version;
            }
            version.release(stripe);
        }
    }

    /** Serves {@code next}; the version it replaces is closed once no request holds it. */
    public void swap(Snapshot next) {
        ServingVersion replaced = current;
        current = version(Objects.requireNonNull(next));
        held.add(replaced);
        replaced.replace();
    }

    /** Closes the serving version and every replaced one still held: the gateway is stopping. */
    public void closeAll() {
        current.closeNow();
        held.forEach(ServingVersion::closeNow);
    }

    /** Replaced versions that requests still hold, so not closed yet. */
    public int heldReplaced() {
        return held.size();
    }

    /** The source's configuration serves from now on (call after swapping it in). */
    public void markLoaded() {
        loaded = true;
    }

    /** Whether the serving version comes from the source; read it before {@link #current}. */
    public boolean loaded() {
        return loaded;
    }

    private ServingVersion version(Snapshot snapshot) {
        return new ServingVersion(snapshot, stripes, version -> {
            held.remove(version);
            close.accept(version.snapshot());
        });
    }
}
