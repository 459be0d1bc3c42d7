package io.tidegate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.Problems;
import io.tidegate.plugin.api.AuthPlugin;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.schema.BoundSchema;
import io.tidegate.plugin.schema.ConfigViolation;
import io.tidegate.plugin.schema.InvalidConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the {@code plugins:} map of one place (a route, service, global rule, plugin config or
 * consumer) into plugin instances: each config checked against its plugin's schema, bound, and
 * handed to the plugin, errors reported at
 * {@code <place>.plugins.<name>.<field>}. Entries with {@code _meta.disable: true} are skipped;
 * names no loaded plugin provides are collected, never skipped silently.
 */
public final class PlaceCompiler {
    private final PluginCatalog catalog;
    private final CompileServices services;
    private final Problems problems;
    private final List<PluginBinding> created = new ArrayList<>();

    private final PluginUpstreams upstreams;

    public PlaceCompiler(PluginCatalog catalog, CompileServices services, Problems problems) {
        this(catalog, services, PluginUpstreams.NONE, problems);
    }

    public PlaceCompiler(PluginCatalog catalog, CompileServices services, PluginUpstreams upstreams, Problems problems) {
        this.catalog = catalog;
        this.services = services;
        this.upstreams = upstreams;
        this.problems = problems;
    }

    /**
     * Plugins of one place, the names it uses that are not loaded, and those it turns off with
     * {@code _meta.disable} (which also turns off what it would inherit under that name).
     */
    public record Place(List<PluginBinding> bindings, Set<String> missing, Set<String> disabled) {
        public static final Place EMPTY = new Place(List.of(), Set.of(), Set.of());
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
        Set<String> disabled = new TreeSet<>();
        plugins.forEach((name, config) -> {
            if (isDisabled(config)) {
                disabled.add(name);
                return;
            }
            String place = Problems.join(path, "plugins." + name);
            LoadedPlugin plugin = catalog.get(name);
            if (plugin == null) {
                missing.add(name);
                return;
            }
            Integer priority = metaPriority(config, place);
            PluginBinding binding = create(plugin, withoutMeta(config), place, owner,
                    priority == null ? plugin.plugin().priority() : priority);
            if (binding != null) {
                bindings.add(binding);
                created.add(binding);
            }
        });
        return new Place(List.copyOf(bindings), Set.copyOf(missing), Set.copyOf(disabled));
    }

    /**
     * A consumer's credential for an authentication plugin, checked and bound by the plugin's
     * consumer schema and {@code checkCredential}; null when it is invalid (each problem reported).
     */
    public Object bindCredential(LoadedPlugin plugin, JsonNode credential, String place) {
        Object bound = bind(plugin.consumerSchema(), withoutMeta(credential), place);
        if (bound == null) {
            return null;
        }
        try {
            check(plugin.auth(), bound);
            return bound;
        } catch (PluginConfigException e) {
            problems.add(at(place, e.field()), e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            problems.add(place, "plugin failed to validate its configuration: " + e);
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static <K> void check(AuthPlugin<?, K> plugin, Object credential) throws PluginConfigException {
        plugin.checkCredential((K) credential);
    }

    /**
     * APISIX's {@code _meta.priority}: this use of the plugin runs at that priority instead of the
     * plugin's own (within each phase, as any priority); null when not set.
     */
    private Integer metaPriority(JsonNode config, String place) {
        JsonNode priority = config.path("_meta").path("priority");
        if (priority.isMissingNode() || priority.isNull()) {
            return null;
        }
        if (!priority.isIntegralNumber() || !priority.canConvertToInt()) {
            problems.add(place + "._meta.priority", "must be an integer");
            return null;
        }
        return priority.intValue();
    }

    private PluginBinding create(LoadedPlugin plugin, JsonNode config, String place, String owner, int priority) {
        List<SharedStates.Hold> holds = new ArrayList<>();
        List<PluginUpstreams.Held> held = new ArrayList<>();
        Object bound = bind(plugin.configSchema(), config, place);
        if (bound == null || plugin.attributeSchema() != null && !services.attributes().containsKey(plugin.name())) {
            return null;  // its plugin_attr did not bind: that is reported, under tidegate.plugin_attr
        }
        try {
            PluginInstance instance = createWith(plugin.plugin(), bound, services.forPlugin(plugin.plugin(), owner, holds, place, upstreams, held));
            if (instance == null) {
                problems.add(place, "plugin returned no instance");
            } else {
                return new PluginBinding(plugin.name(), priority, instance, place, owner, holds, held);
            }
        } catch (PluginConfigException e) {
            problems.add(at(place, e.field()), e.getMessage());
        } catch (PluginUpstreams.Reported e) {
            // each of the upstream's problems is reported at its field
        } catch (RuntimeException | LinkageError e) {
            problems.add(place, "plugin failed to validate its configuration: " + e);
        }
        holds.forEach(SharedStates.Hold::release);
        return null;
    }

    @SuppressWarnings("unchecked")
    private static <C> PluginInstance createWith(GatewayPlugin<C> plugin, Object config, PluginServices services)
            throws PluginConfigException {
        return plugin.create((C) config, services);
    }

    /** The configuration checked and bound by {@code schema}, or null with every violation reported. */
    private Object bind(BoundSchema<?> schema, JsonNode config, String place) {
        try {
            return schema.bind(config);
        } catch (InvalidConfig e) {
            for (ConfigViolation violation : e.violations()) {
                problems.add(violation.pathUnder(place), violation.message());
            }
            return null;
        }
    }

    private static String at(String place, String field) {
        return new ConfigViolation(field, "").pathUnder(place);
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
