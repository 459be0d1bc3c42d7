package io.tidegate.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.plugin.LoadedPlugin;
import io.tidegate.plugin.PluginCatalog;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Supplier;

/**
 * APISIX's read-only plugin endpoints, answered from the plugins loaded now:
 * {@code GET /plugins/list} (names, highest priority first), {@code GET /plugins?all=true} (each
 * plugin's version, priority, schemas and type) and {@code GET /schema/plugins/{name}} or
 * {@code GET /plugins/{name}} (its schema; {@code ?schema_type=consumer} for an authentication
 * plugin's credential schema). Dashboards draw their forms from these.
 */
final class PluginDescriptions {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final Supplier<PluginCatalog> catalog;

    PluginDescriptions(Supplier<PluginCatalog> catalog) {
        this.catalog = catalog;
    }

    Reply list() {
        ArrayNode names = NODES.arrayNode();
        catalog.get().all().stream()
                .sorted(Comparator.comparingInt((LoadedPlugin p) -> p.plugin().priority()).reversed().thenComparing(LoadedPlugin::name))
                .forEach(p -> names.add(p.name()));
        return new Reply(200, names);
    }

    Reply all() {
        ObjectNode all = NODES.objectNode();
        for (LoadedPlugin plugin : catalog.get().all()) {
            ObjectNode entry = all.putObject(plugin.name());
            entry.put("version", plugin.version());
            entry.put("priority", plugin.plugin().priority());
            entry.set("schema", plugin.configSchema().json());
            if (plugin.consumerSchema() != null) {
                entry.set("consumer_schema", plugin.consumerSchema().json());
                entry.put("type", "auth");
            }
        }
        return new Reply(200, all);
    }

    Reply schema(String name, Map<String, java.util.Deque<String>> query) {
        java.util.Deque<String> subsystems = query.get("subsystem");
        String subsystem = subsystems == null ? "http" : subsystems.peekFirst();
        if (!subsystem.equals("http") && !subsystem.equals("stream")) {
            return Reply.error(400, "unsupported subsystem: " + subsystem);
        }
        LoadedPlugin plugin = catalog.get().get(name);
        if (plugin == null || subsystem.equals("stream")) {  // no stream (L4) plugins here
            return Reply.error(404, "plugin not found in subsystem " + subsystem);
        }
        java.util.Deque<String> type = query.get("schema_type");
        if (type != null && "consumer".equals(type.peekFirst())) {
            return plugin.consumerSchema() == null ? Reply.error(400, "not found schema")
                    : new Reply(200, plugin.consumerSchema().json());
        }
        return new Reply(200, plugin.configSchema().json());
    }
}
