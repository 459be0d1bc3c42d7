package io.tidegate.config;

import java.util.List;

/** APISIX's resource lists, as one immutable configuration version. */
public record Resources(
        List<Route> routes,
        List<Upstream> upstreams,
        List<Service> services,
        List<Consumer> consumers,
        List<Ssl> ssls,
        List<GlobalRule> globalRules,
        List<PluginConfig> pluginConfigs) {

    public static final Resources EMPTY = new Resources(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
}
