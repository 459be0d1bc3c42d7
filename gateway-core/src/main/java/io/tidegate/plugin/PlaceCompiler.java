package io.tidegate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.Problems;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the {@code plugins:} map of one place (a route, service, global rule, plugin config or
 * consumer) into plugin instances: each config validated by its plugin, errors reported at
 * {@code <place>.plugins.<name>.<field>}. Entries with {@code _meta.disable: true} are skipped;
 * names no loaded plugin provides are collected, never skipped silently.
 */
public final class PlaceCompiler {
    private final PluginCatalog catalog;
    private final CompileServices services;
    private final Problems problems;
    private final List<PluginBinding> created = new ArrayList<>();

    public PlaceCompiler(PluginCatalog catalog, CompileServices services, Problems problems) {
        this.catalog = catalog;
        this.services = services;
        this.problems = problems;
    }

    /** Plugins of one place, and the names it uses that are not loaded. */
    public record Place(List<PluginBinding> bindings, Set<String> missing) {
        public static final Place EMPTY = new Place(List.of(), Set.of());
    }

    /**
     * @param path  where the plugins stand in the configuration, for errors ({@code routes[2]})
     * @param owner the resource they belong to, stable across versions ({@code route:7})
     */
    public Place compile(Map<String, JsonNode> plugins, String path, String owner) {
        if (plugins.isEmpty()) {
            return Place.EMPTY;
        }
        List<PluginBinding> bindings = new ArrayList<>();
        Set<String> missing = new TreeSet<>();
        plugins.forEach((name, config) -> {
            if (isDisabled(config)) {
                return;
            }
            String place = Problems.join(path, "plugins." + name);
            LoadedPlugin plugin = catalog.get(name);
            if (plugin == null) {
                missing.add(name);
                return;
            }
            PluginInstance instance = create(plugin, withoutMeta(config), place, owner);
            if (instance != null) {
                PluginBinding binding = new PluginBinding(name, plugin.plugin().priority(), instance, place);
                bindings.add(binding);
                created.add(binding);
            }
        });
        return new Place(List.copyOf(bindings), Set.copyOf(missing));
    }

    /** Validates a consumer's credential for an authentication plugin; false when it is invalid. */
    public boolean validateCredential(LoadedPlugin plugin, JsonNode credential, String place) {
        try {
            plugin.plugin().validateConsumer(withoutMeta(credential));
            return true;
        } catch (PluginConfigException e) {
            problems.add(e.field().isEmpty() ? place : place + "." + e.field(), e.getMessage());
        } catch (RuntimeException e) {
            problems.add(place, "plugin failed to validate its configuration: " + e);
        }
        return false;
    }

    private PluginInstance create(LoadedPlugin plugin, JsonNode config, String place, String owner) {
        try {
            PluginInstance instance = plugin.plugin().create(config, services.ownedBy(owner));
            if (instance == null) {
                problems.add(place, "plugin returned no instance");
            }
            return instance;
        } catch (PluginConfigException e) {
            problems.add(e.field().isEmpty() ? place : place + "." + e.field(), e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            problems.add(place, "plugin failed to validate its configuration: " + e);
        }
        return null;
    }

    /** Every instance created so far, so a failed build can close them all. */
    public List<PluginBinding> created() {
        return List.copyOf(created);
    }

    public static boolean isDisabled(JsonNode config) {
        return config.path("_meta").path("disable").asBoolean(false);
    }

    /**
     * A copy of its own for the plugin, without {@code _meta}: configurations are read once and kept
     * across versions (see the etcd source), so a plugin that changed what it was given would
     * change what the next version compiles.
     */
    private static JsonNode withoutMeta(JsonNode config) {
        JsonNode copy = config.deepCopy();
        if (copy instanceof ObjectNode object) {
            object.remove("_meta");
        }
        return copy;
    }
}
