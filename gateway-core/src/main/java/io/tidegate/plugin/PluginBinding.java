package io.tidegate.plugin;

import io.tidegate.plugin.api.PluginInstance;
import java.util.List;

/**
 * One plugin instance in a chain: its name and priority for ordering, where it was configured
 * ({@code routes[1].plugins.limit-count}) for logs, the resource that configured it
 * ({@code route:1}, {@code global_rule:g}), the shared state it holds and the upstreams it compiled.
 */
public record PluginBinding(String name, int priority, PluginInstance instance, String place, String owner,
                            List<SharedStates.Hold> holds, List<PluginUpstreams.Held> upstreams) {
    public PluginBinding {
        holds = List.copyOf(holds);
        upstreams = List.copyOf(upstreams);
    }

    public PluginBinding(String name, int priority, PluginInstance instance, String place, List<SharedStates.Hold> holds) {
        this(name, priority, instance, place, place, holds, List.of());
    }

    /** Whether the plugin took an upstream to send requests to (PluginServices.upstream or upstreamId). */
    public boolean choosesUpstreams() {
        return !upstreams.isEmpty();
    }

    /** Closes the instance, then lets go of its shared state. */
    void close() {
        try {
            instance.close();
        } finally {
            holds.forEach(SharedStates.Hold::release);
        }
    }
}
