package io.tidegate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.config.Problems;
import io.tidegate.config.Resources;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Names no loaded plugin provides, wherever resources use them. Served configuration keeps such a
 * route answering 503 until the jar arrives (fail closed); a write through the Admin API is
 * refused instead, as APISIX refuses an unknown plugin, so a typo is an error at once.
 */
public final class UnknownPlugins {
    private UnknownPlugins() {
    }

    /** Adds {@code routes[2].plugins.key-aut: unknown plugin} for each such use. */
    public static void report(Resources resources, PluginCatalog catalog, Problems problems) {
        check("routes", resources.routes(), r -> r.plugins(), catalog, problems);
        check("services", resources.services(), s -> s.plugins(), catalog, problems);
        check("global_rules", resources.globalRules(), g -> g.plugins(), catalog, problems);
        check("plugin_configs", resources.pluginConfigs(), p -> p.plugins(), catalog, problems);
        check("consumers", resources.consumers(), c -> c.plugins(), catalog, problems);
    }

    private static <T> void check(String list, List<T> items, Function<T, Map<String, JsonNode>> plugins, PluginCatalog catalog,
                                  Problems problems) {
        for (int i = 0; i < items.size(); i++) {
            for (String name : plugins.apply(items.get(i)).keySet()) {
                if (catalog.get(name) == null) {
                    problems.add(Problems.index(list, i) + ".plugins." + name, "unknown plugin (no loaded jar provides it)");
                }
            }
        }
    }
}
