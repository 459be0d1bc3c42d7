package io.tidegate.runtime;

import io.tidegate.config.ConfigException;
import io.tidegate.config.Resources;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a configuration version changes: compile the next resources (reusing what did not
 * change), swap the result in, and let the old version close once its last request ends. One
 * change at a time; a version that fails to compile changes nothing and the serving one stays.
 */
public final class Reloads {
    private static final Logger log = LoggerFactory.getLogger(Reloads.class);

    private final Object lock = new Object();
    private final Supplier<SnapshotBuilder> builders;
    private final SnapshotHolder snapshots;
    private final PluginLedger ledger;
    private final BiConsumer<SnapshotBuilder.Build, String> afterSwap;
    private CompiledPieces pieces;
    private Resources resources;
    /** Read without the lock: an Admin API check must not wait for a rebuild in progress. */
    private volatile long version;

    /**
     * @param first     the version serving now
     * @param afterSwap called (under the lock) with each version swapped in and the reason, to let go
     *                  of what only older versions used (idle connection pools, health checkers)
     */
    public Reloads(Supplier<SnapshotBuilder> builders, SnapshotHolder snapshots, PluginLedger ledger,
                   Resources resources, SnapshotBuilder.Build first, BiConsumer<SnapshotBuilder.Build, String> afterSwap) {
        this.builders = builders;
        this.snapshots = snapshots;
        this.ledger = ledger;
        this.afterSwap = afterSwap;
        this.resources = resources;
        this.pieces = first.pieces();
        this.version = first.snapshot().version();
    }

    /** Compiles {@code next} and serves it. */
    public Snapshot swap(Resources next, String reason) throws ConfigException {
        synchronized (lock) {
            return compileAndSwap(next, reason, false);
        }
    }

    /** The same, unless {@code next} equals what serves; then null. */
    public Snapshot swapIfChanged(Resources next, String reason) throws ConfigException {
        synchronized (lock) {
            return next.equals(resources) ? null : compileAndSwap(next, reason, false);
        }
    }

    /**
     * Compiles the serving resources again: plugins changed, or DNS answers did ({@code afresh}:
     * compiled upstreams change and every piece may refer to them, so nothing is reused).
     */
    public Snapshot recompile(String reason, boolean afresh) throws ConfigException {
        synchronized (lock) {
            return compileAndSwap(resources, reason, afresh);
        }
    }

    /** The serving version's number. */
    public long version() {
        return version;
    }

    private Snapshot compileAndSwap(Resources next, String reason, boolean afresh) throws ConfigException {
        SnapshotBuilder.Build compiled = builders.get().build(next, version + 1, afresh ? CompiledPieces.NONE : pieces, ledger);
        version++;
        resources = next;
        pieces = compiled.pieces();
        // the old version closes once the last request that started on it completes
        snapshots.swap(compiled.snapshot());
        afterSwap.accept(compiled, reason);
        Snapshot s = compiled.snapshot();
        log.info("configuration version {} serving (changed: {}): {} routes, {} upstreams", s.version(), reason,
                s.routeCount(), s.upstreamCount());
        return s;
    }
}
