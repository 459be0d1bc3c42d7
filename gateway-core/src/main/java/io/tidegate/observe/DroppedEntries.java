package io.tidegate.observe;

import io.tidegate.plugin.api.DropCounter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Entries each plugin type dropped, kept across configuration versions so the totals only grow.
 * Keyed by plugin name, which the loaded plugin jars bound, so the metric's labels stay bounded.
 */
public final class DroppedEntries {
    private final Map<String, LongAdder> byPlugin = new HashMap<>();
    private GatewayMetrics metrics;

    /** Called while a configuration compiles, never per request, so the lock costs nothing. */
    public synchronized DropCounter counterFor(String pluginName) {
        LongAdder total = byPlugin.computeIfAbsent(pluginName, name -> {
            LongAdder adder = new LongAdder();
            if (metrics != null) {
                register(metrics, name, adder);
            }
            return adder;
        });
        return total::add;
    }

    /** Exports every plugin's total, including plugins first seen after this call. */
    public synchronized void exportTo(GatewayMetrics m) {
        metrics = m;
        byPlugin.forEach((name, adder) -> register(m, name, adder));
    }

    private static void register(GatewayMetrics m, String pluginName, LongAdder adder) {
        m.counter("tidegate_plugin_entries_dropped", "entries a plugin gave up on (full queue, failed delivery)",
                "plugin", pluginName, adder::sum);
    }
}
