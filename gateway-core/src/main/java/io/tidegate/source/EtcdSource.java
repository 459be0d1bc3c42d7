package io.tidegate.source;

import io.etcd.jetcd.Watch;
import io.tidegate.config.ConfigException;
import io.tidegate.config.Resources;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the gateway's resources in step with etcd: lists the prefix, applies it, then watches from
 * the listing's revision + 1 and applies every change. When the watch breaks (etcd restarted or
 * compacted past our revision, the member watched went down or lost its leader) it lists again, as
 * soon as a member of the cluster knows a leader again ({@link EtcdStore#probe}); the last good
 * configuration serves meanwhile. A key whose value fails validation or
 * compilation serves its last good value, or fails closed ({@link LastGoodVersions}); it is logged
 * by key, and the rest applies. Everything runs on one thread, so the key maps need no lock.
 */
public final class EtcdSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EtcdSource.class);
    private static final long MIN_BACKOFF_MILLIS = 200;
    private static final long MAX_BACKOFF_MILLIS = 1_000;
    /** While etcd is away (no member answers, or none knows a leader), how often to look whether it is back. */
    private static final long PROBE_MILLIS = 100;

    /** Where the resources go. */
    public interface Target {
        /** Compiles and serves them; throws (changing nothing) when they do not compile. */
        void apply(Resources resources) throws ConfigException;
    }

    private final EtcdStore store;
    private final LastGoodVersions versions;
    private final WatchedKeys watched = new WatchedKeys();
    private final EtcdKeyLog keyLog;
    private final Target target;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tidegate-etcd");
        t.setDaemon(true);
        return t;
    });
    private Watch.Watcher watcher;
    private long generation;
    /** The watch generation whose end is being handled: a watch reports its end more than once. */
    private long failedGeneration;
    /** What the last probe that found no quorum logged, so an outage is logged when it changes, not every 100 ms. */
    private String lastProbeLogged;
    private long backoffMillis = MIN_BACKOFF_MILLIS;
    private boolean rebuildPending;
    /**
     * No rebuild starts before this ({@link System#nanoTime}): after a rebuild the thread rests as
     * long as the rebuild took. A change after a quiet spell applies at once; a stream of them
     * (hundreds of Admin API writes a second) is applied in batches, with compiling taking at most
     * half this thread's time, so the writes themselves (etcd, the Admin API, the watch) keep the
     * rest of the machine. With 10,000 routes a rebuild takes tens of milliseconds: under 8,000
     * writes, rebuilding back to back built 181-205 versions and the gateway used 13-18 s of CPU;
     * resting, 62-72 versions and 9-10 s (bench/admin-writes.sh, shared 2-core machine), for a
     * few tens of milliseconds more from a write to its route serving.
     */
    private long restUntilNanos;

    public EtcdSource(EtcdStore store, Target target) {
        this.store = store;
        KeyedResources keyed = new KeyedResources(store.prefix());
        this.versions = new LastGoodVersions(keyed);
        this.keyLog = new EtcdKeyLog();
        this.target = target;
    }

    /**
     * Lists and applies once before returning (bounded by etcd's timeout), so a gateway starts with
     * etcd's configuration when etcd is there; when it is not, keeps trying in the background.
     */
    public void start() {
        try {
            thread.submit(this::relist).get();
        } catch (Exception e) {
            log.error("etcd start-up listing failed", e);
        }
    }

    private void relist() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        long mine = ++generation;
        EtcdStore.Listing listing;
        try {
            listing = store.list();
        } catch (RuntimeException e) {
            log.warn("etcd {} unavailable ({}); the current configuration keeps serving, listing again once etcd answers",
                    store.prefix(), e.getMessage());
            retryLater();
            return;
        }
        watched.reset(mine, listing);
        versions.reset(listing.values());
        rebuild();
        backoffMillis = MIN_BACKOFF_MILLIS;
        watcher = store.watch(listing.revision() + 1,
                changes -> {
                    // at once, not behind a rebuild: the Admin API reads these
                    watched.apply(mine, changes);
                    run(() -> changed(mine, changes));
                },
                error -> {
                    watched.lost(mine);
                    run(() -> watchFailed(mine, error));
                });
        log.info("etcd {}: {} keys at revision {}, watching", store.prefix(), versions.size(), listing.revision());
    }

    /** The keys as this source's watch delivers them, for the Admin API's checks. */
    public WatchedKeys watchedKeys() {
        return watched;
    }

    /** Runs on this source's thread; after {@link #close} (a watch reporting its end) nothing runs. */
    private void run(Runnable task) {
        try {
            thread.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed
        }
    }

    private void retryLater() {
        thread.schedule(this::relistOnceQuorate, backoffMillis, TimeUnit.MILLISECONDS);
        backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
    }

    /**
     * Lists again as soon as a member of the cluster knows a leader, found by asking each member's
     * status every PROBE_MILLIS rather than by sleeping through a backoff that grew during a long
     * outage; then the store replaces a channel that gRPC would only retry later. A member that
     * merely accepts connections is not enough: alone, cut off from a quorum, it can list nothing
     * (a linearizable read waits for etcd's own timeout there). A write made the moment the cluster
     * has a quorum again thus serves within a few hundred milliseconds. The backoff still spaces out
     * listings that fail although a leader is known (an election under way, refusing us).
     */
    private void relistOnceQuorate() {
        EtcdStore.Quorum quorum = store.probe();
        if (!quorum.leader()) {
            String state = quorum.answering() == 0 ? "no member answers" : "no member knows a leader (no quorum)";
            if (!state.equals(lastProbeLogged)) {
                lastProbeLogged = state;
                log.warn("etcd {}: {} ({}); the current configuration keeps serving", store.prefix(), state, quorum.detail());
            }
            thread.schedule(this::relistOnceQuorate, PROBE_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (lastProbeLogged != null) {
            log.info("etcd {}: a leader is known again ({}); listing", store.prefix(), quorum.detail());
            lastProbeLogged = null;
        }
        store.reconnectIfLost();
        relist();
    }

    private void changed(long watchGeneration, List<EtcdStore.Change> changes) {
        if (watchGeneration != generation) {
            return; // from a watch a relisting replaced
        }
        for (EtcdStore.Change change : changes) {
            if (change.deleted()) {
                versions.remove(change.entry().key());
            } else {
                versions.put(change.entry().key(), change.entry().value());
            }
        }
        // a burst of watch responses queued behind this one becomes one rebuild
        if (!rebuildPending) {
            rebuildPending = true;
            thread.schedule(() -> {
                rebuildPending = false;
                rebuild();
            }, Math.max(0, restUntilNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private void watchFailed(long watchGeneration, Throwable error) {
        if (watchGeneration != generation || failedGeneration == watchGeneration) {
            return;  // replaced, or its end is already being handled
        }
        failedGeneration = watchGeneration;
        log.warn("etcd {} watch ended ({}); listing again", store.prefix(), error.getMessage());
        retryLater();
    }

    /**
     * Applies the current keys. A key whose value fails to read or compile falls back to its next
     * version ({@link LastGoodVersions}) and the whole is tried again, until it compiles or fails
     * for a reason no key explains.
     */
    private void rebuild() {
        long start = System.nanoTime();
        try {
            applyChosen();
        } finally {
            long took = System.nanoTime() - start;
            restUntilNanos = System.nanoTime() + took;
        }
    }

    private void applyChosen() {
        LastGoodVersions.Choice choice = versions.choose();
        while (true) {
            KeyedResources.Result read = choice.read();
            List<String> unexplained = read.rejected().get(KeyedResources.NO_KEY);
            if (unexplained == null) {
                try {
                    target.apply(read.resources());
                    keyLog.report(choice, read.resources(), versions.applied());
                    return;
                } catch (ConfigException e) {
                    Map<String, List<String>> failed = read.attribute(e.problems());
                    unexplained = failed.remove(KeyedResources.NO_KEY);
                    if (choice.demote(failed)) {
                        continue;
                    }
                    unexplained = unexplained == null ? e.errors() : unexplained;
                }
            }
            log.error("etcd {}: the configuration does not compile; the current one keeps serving:\n  {}",
                    store.prefix(), String.join("\n  ", unexplained));
            return;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        Watch.Watcher current = watcher;
        if (current != null) {
            current.close();
        }
    }
}
