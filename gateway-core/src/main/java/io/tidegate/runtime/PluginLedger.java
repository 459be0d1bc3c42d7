package io.tidegate.runtime;

import io.tidegate.plugin.PluginBinding;
import io.tidegate.plugin.PluginChain;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts, for each plugin instance, the configuration versions that use it. A version reuses the
 * instances of the previous one where their configuration did not change, so an instance may
 * serve many versions; it is closed when the last of them is, and never before.
 */
public final class PluginLedger {
    private final Map<PluginBinding, Integer> users = new IdentityHashMap<>();

    /** A version that uses {@code bindings} serves from now on. */
    synchronized void acquire(List<PluginBinding> bindings) {
        for (PluginBinding binding : bindings) {
            users.merge(binding, 1, Integer::sum);
        }
    }

    /** A version that used {@code bindings} is closed: instances no other version uses are closed now. */
    void release(List<PluginBinding> bindings) {
        List<PluginBinding> unused = new ArrayList<>();
        synchronized (this) {
            for (PluginBinding binding : bindings) {
                Integer left = users.computeIfPresent(binding, (b, count) -> count == 1 ? null : count - 1);
                if (left == null) {
                    unused.add(binding);
                }
            }
        }
        PluginChain.of(unused).closeAll();  // outside the lock: a plugin's close may take a while
    }

    /** Instances in use by at least one version. */
    public synchronized int inUse() {
        return users.size();
    }
}
