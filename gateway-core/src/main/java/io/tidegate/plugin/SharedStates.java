package io.tidegate.plugin;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The objects plugins keep across configuration versions ({@code PluginServices.shared}), keyed by
 * plugin name and the plugin's key, each counted by the instances holding it and closed when the
 * last of them lets go. One per gateway (owned by its plugin registry), so two gateways in one JVM
 * (tests) never share state.
 */
public final class SharedStates {
    private static final Logger log = LoggerFactory.getLogger(SharedStates.class);

    /** {@code loader}: a jar version's own, so a replaced jar's objects never reach the new version's classes. */
    private record Key(String plugin, ClassLoader loader, Object key) {}

    private static final class Entry {
        final AutoCloseable state;
        int holders;

        Entry(AutoCloseable state) {
            this.state = state;
        }
    }

    private final Map<Key, Entry> entries = new HashMap<>();

    /** One instance's hold on one object; {@link #release} it once, when the instance closes. */
    public final class Hold {
        private final Key key;
        private boolean released;

        private Hold(Key key) {
            this.key = key;
        }

        public void release() {
            AutoCloseable closing = null;
            synchronized (SharedStates.this) {
                if (released) {
                    return;
                }
                released = true;
                Entry entry = entries.get(key);
                if (--entry.holders == 0) {
                    entries.remove(key);
                    closing = entry.state;
                }
            }
            if (closing != null) {
                closeQuietly(key, closing);  // outside the lock: closing may flush a queue
            }
        }
    }

    /** The object under {@code (plugin, its class loader, key)}, made now if nobody holds one, and a hold on it. */
    public <S extends AutoCloseable> S acquire(String plugin, ClassLoader loader, Object key, Supplier<S> create, List<Hold> holds) {
        Key k = new Key(plugin, loader, key);
        synchronized (this) {
            Entry entry = entries.get(k);
            if (entry == null) {
                entry = new Entry(java.util.Objects.requireNonNull(create.get(), "shared state factory returned null"));
                entries.put(k, entry);
            }
            entry.holders++;
            holds.add(new Hold(k));
            @SuppressWarnings("unchecked")
            S state = (S) entry.state;
            return state;
        }
    }

    /** How many objects are held (for tests and metrics). */
    public synchronized int open() {
        return entries.size();
    }

    private static void closeQuietly(Key key, AutoCloseable state) {
        try {
            state.close();
        } catch (Exception | LinkageError e) {
            // the key is the plugin's own value (settings, which may hold a password): not logged
            log.warn("plugin {}: closing its shared {} failed: {}", key.plugin(), state.getClass().getSimpleName(), e.toString());
        }
    }
}
