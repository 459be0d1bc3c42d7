package io.tidegate.config;

import java.util.List;

/**
 * APISIX's resource lists, as one immutable configuration version, and what of them cannot serve
 * ({@link Unservable}: only from etcd, where one bad key must not take the rest down).
 */
public record Resources(
        List<Route> routes,
        List<Upstream> upstreams,
        List<Service> services,
        List<Consumer> consumers,
        List<Ssl> ssls,
        List<GlobalRule> globalRules,
        List<PluginConfig> pluginConfigs,
        List<Proto> protos,
        Unservable unservable) {

    public static final Resources EMPTY = new Resources(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

    /** Resources that all serve. */
    public Resources(List<Route> routes, List<Upstream> upstreams, List<Service> services, List<Consumer> consumers,
                     List<Ssl> ssls, List<GlobalRule> globalRules, List<PluginConfig> pluginConfigs, List<Proto> protos) {
        this(routes, upstreams, services, consumers, ssls, globalRules, pluginConfigs, protos, Unservable.NONE);
    }

    public Resources withUnservable(Unservable next) {
        return new Resources(routes, upstreams, services, consumers, ssls, globalRules, pluginConfigs, protos, next);
    }
}
