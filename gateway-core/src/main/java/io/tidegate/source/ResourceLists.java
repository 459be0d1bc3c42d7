package io.tidegate.source;

import io.tidegate.config.Consumer;
import io.tidegate.config.GlobalRule;
import io.tidegate.config.PluginConfig;
import io.tidegate.config.Resources;
import io.tidegate.config.Route;
import io.tidegate.config.Service;
import io.tidegate.config.Ssl;
import io.tidegate.config.Unservable;
import io.tidegate.config.Upstream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects records already read, key by key, into {@link Resources}, remembering which key each
 * list position came from, so that errors from compiling them can be filed by key.
 */
final class ResourceLists {
    private final List<Route> routes = new ArrayList<>();
    private final List<Upstream> upstreams = new ArrayList<>();
    private final List<Service> services = new ArrayList<>();
    private final List<Consumer> consumers = new ArrayList<>();
    private final List<Ssl> ssls = new ArrayList<>();
    private final List<GlobalRule> globalRules = new ArrayList<>();
    private final List<PluginConfig> pluginConfigs = new ArrayList<>();
    private final List<io.tidegate.config.Proto> protos = new ArrayList<>();
    private final Map<String, List<String>> keysByList = new HashMap<>();

    /** Adds a record read from {@code key} (a {@link KeyedResources.ItemRead#record}) to the list of its type. */
    void add(String key, String type, Object record) {
        switch (type) {
            case "routes" -> routes.add((Route) record);
            case "upstreams" -> upstreams.add((Upstream) record);
            case "services" -> services.add((Service) record);
            case "consumers" -> consumers.add((Consumer) record);
            case "ssls" -> ssls.add((Ssl) record);
            case "global_rules" -> globalRules.add((GlobalRule) record);
            case "plugin_configs" -> pluginConfigs.add((PluginConfig) record);
            case "protos" -> protos.add((io.tidegate.config.Proto) record);
            default -> throw new IllegalArgumentException("not a resource type: " + type);
        }
        keysByList.computeIfAbsent(type, t -> new ArrayList<>()).add(key);
    }

    KeyedResources.Result result(Unservable unservable) {
        Resources resources = new Resources(List.copyOf(routes), List.copyOf(upstreams), List.copyOf(services),
                List.copyOf(consumers), List.copyOf(ssls), List.copyOf(globalRules), List.copyOf(pluginConfigs),
                List.copyOf(protos), unservable);
        return new KeyedResources.Result(resources, Map.of(), new KeyedResources.KeysByList(keysByList));
    }
}
