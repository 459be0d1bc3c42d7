package io.tidegate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.tidegate.config.Problems;
import io.tidegate.plugin.schema.ConfigViolation;
import io.tidegate.plugin.schema.InvalidConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * APISIX's {@code plugin_attr}: each loaded plugin's {@code tidegate.plugin_attr.<name>} checked and
 * bound by the plugin's attribute schema (an absent one as {@code {}}, so its defaults apply).
 * Bound again with each configuration version's plugins, so a replaced jar's schema is the one
 * that judges; settings for plugins that declare none are left to the plugin's absence of them
 * (APISIX configurations carry {@code plugin_attr} for plugins Tidegate has no need of).
 */
public final class PluginAttributes {
    private static final String PLACE = "tidegate.plugin_attr";

    private PluginAttributes() {
    }

    /** By plugin name, the bound attributes of every loaded plugin that declares a schema; problems name their field. */
    public static Map<String, Object> bind(PluginCatalog catalog, Map<String, JsonNode> settings, Problems problems) {
        Map<String, Object> bound = new HashMap<>();
        for (LoadedPlugin plugin : catalog.all()) {
            if (plugin.attributeSchema() == null) {
                continue;
            }
            JsonNode given = settings.getOrDefault(plugin.name(), JsonNodeFactory.instance.objectNode());
            try {
                bound.put(plugin.name(), plugin.attributeSchema().bind(given));
            } catch (InvalidConfig e) {
                for (ConfigViolation violation : e.violations()) {
                    problems.add(violation.pathUnder(Problems.join(PLACE, plugin.name())), violation.message());
                }
            }
        }
        return Map.copyOf(bound);
    }
}
