package io.tidegate.source;

import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The keys under the prefix as this node's watch last delivered them, with their revisions, so
 * the Admin API can check a write against them instead of reading etcd first: one round trip to
 * etcd per write instead of two. Nothing is trusted blindly: a write's commit holds only if every
 * key it read still has the revision it read, so an entry the watch has not caught up with yet
 * costs a retry (read from etcd), never a wrong answer. Kept by the watch's callbacks; read by
 * any thread.
 */
public final class WatchedKeys {
    /** The keys since the last listing; null while out of step with etcd (no listing yet, or the watch ended). */
    private volatile Keys current;
    /** The watch whose changes apply; those of a watch a relisting replaced do not. */
    private long generation;  // guarded by this

    /** One listing and the changes watched since. */
    private static final class Keys {
        final ConcurrentSkipListMap<String, EtcdStore.Entry> entries = new ConcurrentSkipListMap<>();
        /** Every change up to this revision is in the entries. */
        volatile long revision;
    }

    /** A listing starts watch {@code generation}: the keys are exactly these now. */
    synchronized void reset(long generation, EtcdStore.Listing listing) {
        this.generation = generation;
        Keys keys = new Keys();
        listing.entries().forEach(entry -> keys.entries.put(entry.key(), entry));
        keys.revision = listing.revision();
        current = keys;  // a reader holding the previous keys keeps a consistent (older) view
    }

    /** Changes delivered by watch {@code generation}, in revision order. */
    synchronized void apply(long generation, List<EtcdStore.Change> changes) {
        Keys keys = current;
        if (generation != this.generation || keys == null) {
            return;
        }
        long latest = keys.revision;
        for (EtcdStore.Change change : changes) {
            if (change.deleted()) {
                keys.entries.remove(change.entry().key());
            } else {
                keys.entries.put(change.entry().key(), change.entry());
            }
            latest = Math.max(latest, change.entry().modRevision());
        }
        keys.revision = latest;  // after the entries: a reader that sees it sees them
    }

    /** Watch {@code generation} ended: out of step until the next listing. */
    synchronized void lost(long generation) {
        if (generation == this.generation) {
            current = null;
        }
    }

    /** The keys as of at least some revision, or null while out of step with etcd. */
    public View view() {
        Keys keys = current;
        return keys == null ? null : new View(keys, keys.revision);
    }

    /** The keys as read now, of which every change up to {@link #revision} is known. */
    public static final class View {
        private final Keys keys;
        private final long revision;

        private View(Keys keys, long revision) {
            this.keys = keys;
            this.revision = revision;
        }

        /** Every change under the prefix up to this revision is in this view (later ones may be too). */
        public long revision() {
            return revision;
        }

        /** The key's entry, or null when it does not exist. */
        public EtcdStore.Entry entry(String key) {
            return keys.entries.get(key);
        }

        /** Every key under {@code folder} (ending in {@code /}). */
        public List<EtcdStore.Entry> under(String folder) {
            return List.copyOf(keys.entries.subMap(folder, true, folder.substring(0, folder.length() - 1) + "0", false).values());
        }
    }
}
