package io.tidegate.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.config.ConfigException;
import io.tidegate.config.GlobalRule;
import io.tidegate.config.PluginConfig;
import io.tidegate.config.Problems;
import io.tidegate.config.Resources;
import io.tidegate.config.Route;
import io.tidegate.config.Service;
import io.tidegate.config.Ssl;
import io.tidegate.config.Timeouts;
import io.tidegate.config.Upstream;
import io.tidegate.config.VarExpression;
import io.tidegate.route.IpRange;
import io.tidegate.route.RouteConditions;
import io.tidegate.route.Router;
import io.tidegate.route.VarCondition;
import io.tidegate.tls.CertificateTable;
import io.tidegate.upstream.UpstreamCompiler;
import io.tidegate.upstream.UpstreamProxyClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Compiles validated resources into a {@link Snapshot}: applies APISIX's service merge rules,
 * compiles each upstream once, compiles route conditions and builds the router. Problems that only
 * compiling reveals (a bad regex in {@code vars}, a bad CIDR, a malformed path pattern) are
 * reported with their paths, all at once.
 */
public final class SnapshotBuilder {
    private final UpstreamCompiler upstreams;
    private final RouteHandlerFactory handlers;
    private final Timeouts defaultTimeout;
    private final Set<String> loadedPlugins;

    /**
     * @param loadedPlugins names of the plugins that can run; a route naming any other plugin is
     *                      built to refuse requests rather than skip it
     */
    public SnapshotBuilder(UpstreamCompiler upstreams, RouteHandlerFactory handlers, Timeouts defaultTimeout,
                           Set<String> loadedPlugins) {
        this.upstreams = upstreams;
        this.handlers = handlers;
        this.defaultTimeout = defaultTimeout;
        this.loadedPlugins = Set.copyOf(loadedPlugins);
    }

    public Snapshot build(Resources resources, long version) throws ConfigException {
        Problems problems = new Problems();
        Map<String, Upstream> upstreamConfigs = index(resources.upstreams(), Upstream::id);
        Map<String, UpstreamProxyClient> compiled = new HashMap<>();
        for (int i = 0; i < resources.upstreams().size(); i++) {
            Upstream u = resources.upstreams().get(i);
            compiled.put(u.id(), upstreams.compile(u, u.id(), Problems.index("upstreams", i), problems));
        }
        Map<String, Service> services = index(resources.services(), Service::id);
        Map<String, UpstreamProxyClient> serviceInline = new HashMap<>();
        for (int i = 0; i < resources.services().size(); i++) {
            Service s = resources.services().get(i);
            if (s.upstream() != null) {
                serviceInline.put(s.id(), upstreams.compile(s.upstream(), "service " + s.id(),
                        Problems.index("services", i) + ".upstream", problems));
            }
        }
        Map<String, PluginConfig> pluginConfigs = index(resources.pluginConfigs(), PluginConfig::id);

        Router.Builder<ActiveRoute> router = Router.builder();
        int served = 0;
        for (int i = 0; i < resources.routes().size(); i++) {
            Route route = resources.routes().get(i);
            String path = Problems.index("routes", i);
            if (!route.enabled()) {
                continue;
            }
            Service service = route.serviceId() == null ? null : services.get(route.serviceId());
            RouteConditions conditions = conditions(route, path, problems);

            UpstreamProxyClient client;
            Upstream upstreamConfig;
            if (route.upstream() != null) {
                upstreamConfig = route.upstream();
                client = upstreams.compile(route.upstream(), "route " + route.id(), path + ".upstream", problems);
            } else if (route.upstreamId() != null) {
                upstreamConfig = upstreamConfigs.get(route.upstreamId());
                client = compiled.get(route.upstreamId());
            } else if (service != null && service.upstream() != null) {
                upstreamConfig = service.upstream();
                client = serviceInline.get(service.id());
            } else if (service != null && service.upstreamId() != null) {
                upstreamConfig = upstreamConfigs.get(service.upstreamId());
                client = compiled.get(service.upstreamId());
            } else {
                upstreamConfig = null;
                client = null;
            }
            Timeouts timeout = route.timeout() != null ? route.timeout()
                    : upstreamConfig != null && upstreamConfig.timeout() != null ? upstreamConfig.timeout()
                    : defaultTimeout;
            String rewriteHost = upstreamConfig != null && "rewrite".equals(upstreamConfig.passHost())
                    ? upstreamConfig.upstreamHost() : null;
            List<String> missing = missingPlugins(route, service, pluginConfigs, resources.globalRules());
            boolean websocket = route.enableWebsocket() != null ? route.enableWebsocket()
                    : service != null && Boolean.TRUE.equals(service.enableWebsocket());
            RoutePlan plan = new RoutePlan(route.id(), route.serviceId(), client, timeout, rewriteHost, missing, websocket);

            List<String> hosts = !route.hosts().isEmpty() ? route.hosts()
                    : service != null ? service.hosts() : List.of();
            checkHosts(hosts, path, problems);
            try {
                router.add(new ActiveRoute(plan, handlers.create(plan)), route.uris(), hosts, conditions, route.priority());
                served++;
            } catch (IllegalArgumentException e) {
                problems.add(Problems.join(path, route.uris().size() == 1 ? "uri" : "uris"), e.getMessage());
            }
        }
        CertificateTable certificates = certificates(resources.ssls(), problems);
        problems.throwIfAny();
        return new Snapshot(version, router.build(), certificates, served, resources.upstreams().size());
    }

    /** Server certificates by SNI name; a certificate or key that does not parse is an error at its path. */
    private static CertificateTable certificates(List<Ssl> ssls, Problems problems) {
        CertificateTable.Builder table = CertificateTable.builder();
        for (int i = 0; i < ssls.size(); i++) {
            Ssl ssl = ssls.get(i);
            if (!"server".equals(ssl.type())) {
                continue;
            }
            String path = Problems.index("ssls", i);
            try {
                String alias = "ssl:" + ssl.id() + ":" + Integer.toHexString(ssl.cert().hashCode());
                CertificateTable.Entry entry = CertificateTable.Entry.of(alias, ssl.cert(), ssl.key());
                ssl.snis().forEach(sni -> table.add(sni, entry));
            } catch (IllegalArgumentException e) {
                problems.add(path, e.getMessage());
            }
        }
        return table.build();
    }

    private static RouteConditions conditions(Route route, String path, Problems problems) {
        List<IpRange> ranges = new ArrayList<>();
        for (int j = 0; j < route.remoteAddrs().size(); j++) {
            try {
                ranges.add(IpRange.parse(route.remoteAddrs().get(j)));
            } catch (IllegalArgumentException e) {
                problems.add(Problems.index(Problems.join(path, "remote_addrs"), j), e.getMessage());
            }
        }
        List<VarCondition> vars = new ArrayList<>();
        for (int j = 0; j < route.vars().size(); j++) {
            VarExpression expression = route.vars().get(j);
            try {
                vars.add(VarCondition.compile(expression));
            } catch (IllegalArgumentException e) {
                problems.add(Problems.index(Problems.join(path, "vars"), j), e.getMessage());
            }
        }
        return new RouteConditions(route.methods(), ranges, vars);
    }

    private static void checkHosts(List<String> hosts, String path, Problems problems) {
        for (String host : hosts) {
            if (host.startsWith("*") && !host.equals("*") && !host.startsWith("*.")) {
                problems.add(Problems.join(path, "hosts"), "wildcard host \"" + host + "\" must start with *.");
            }
        }
    }

    /**
     * The plugins this route would run (global rules, service, plugin config, route; minus those
     * turned off with {@code _meta.disable}) that are not loaded.
     */
    private List<String> missingPlugins(Route route, Service service, Map<String, PluginConfig> pluginConfigs,
                                        List<GlobalRule> globalRules) {
        // Global rules run on their own, so a route cannot switch them off; route-level places merge.
        Map<String, JsonNode> merged = new LinkedHashMap<>();
        if (service != null) {
            merged.putAll(service.plugins());
        }
        if (route.pluginConfigId() != null && pluginConfigs.containsKey(route.pluginConfigId())) {
            merged.putAll(pluginConfigs.get(route.pluginConfigId()).plugins());
        }
        merged.putAll(route.plugins());
        TreeSet<String> missing = new TreeSet<>();
        globalRules.forEach(rule -> addMissing(rule.plugins(), missing));
        addMissing(merged, missing);
        return List.copyOf(missing);
    }

    private void addMissing(Map<String, JsonNode> plugins, Set<String> missing) {
        plugins.forEach((name, config) -> {
            boolean disabled = config.path("_meta").path("disable").asBoolean(false);
            if (!disabled && !loadedPlugins.contains(name)) {
                missing.add(name);
            }
        });
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> id) {
        Map<String, T> out = new HashMap<>();
        items.forEach(item -> out.put(id.apply(item), item));
        return out;
    }
}
