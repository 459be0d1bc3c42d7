package io.tidegate.dashboard;

import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The phases a plugin instance takes part in: those of {@link PluginInstance} it overrides, in the order they run. */
final class Phases {
    private Phases() {
    }

    static List<String> of(PluginInstance instance) {
        List<String> phases = new ArrayList<>();
        Class<?> type = instance.getClass();
        add(phases, type, "rewrite", "rewrite", PluginContext.class);
        add(phases, type, "access", "access", PluginContext.class);
        add(phases, type, "before_proxy", "beforeProxy", PluginContext.class);
        add(phases, type, "header_filter", "headerFilter", PluginContext.class);
        if (instance.filtersBody()) {
            add(phases, type, "body_filter", "bodyFilter", PluginContext.class, ByteBuffer.class, boolean.class);
        }
        add(phases, type, "log", "log", PluginContext.class);
        return phases;
    }

    private static void add(List<String> phases, Class<?> type, String phase, String method, Class<?>... parameters) {
        try {
            if (type.getMethod(method, parameters).getDeclaringClass() != PluginInstance.class) {
                phases.add(phase);
            }
        } catch (NoSuchMethodException e) {
            // not a phase of this API version
        }
    }
}
