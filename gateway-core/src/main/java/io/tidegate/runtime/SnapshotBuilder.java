package io.tidegate.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.config.ConfigException;
import io.tidegate.config.Consumer;
import io.tidegate.config.GlobalRule;
import io.tidegate.config.PluginConfig;
import io.tidegate.config.Problems;
import io.tidegate.config.Resources;
import io.tidegate.config.Route;
import io.tidegate.config.Service;
import io.tidegate.config.Ssl;
import io.tidegate.config.Timeouts;
import io.tidegate.config.Unservable;
import io.tidegate.config.Upstream;
import io.tidegate.config.VarExpression;
import io.tidegate.plugin.CompileServices;
import io.tidegate.plugin.ConsumerDirectory;
import io.tidegate.plugin.LoadedPlugin;
import io.tidegate.plugin.PlaceCompiler;
import io.tidegate.plugin.PluginBinding;
import io.tidegate.plugin.PluginCatalog;
import io.tidegate.plugin.PluginChain;
import io.tidegate.plugin.PluginOutputs;
import io.tidegate.plugin.api.PluginServices.ConsumerCredential;
import io.tidegate.route.IpRange;
import io.tidegate.route.RouteConditions;
import io.tidegate.route.Router;
import io.tidegate.route.VarCondition;
import io.tidegate.tls.CertificateTable;
import io.tidegate.upstream.UpstreamCompiler;
import io.tidegate.upstream.CompiledUpstream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Compiles validated resources into a {@link Snapshot}: applies APISIX's merge rules (service <
 * plugin config < route; consumer plugins join after authentication), builds every plugin instance
 * once, compiles each upstream once, compiles route conditions and builds the router. Problems that
 * only compiling reveals (a plugin rejecting its config, a bad regex in {@code vars}, a bad CIDR, a
 * malformed path pattern, a certificate that does not parse) are reported with their paths, all at
 * once; then nothing of the failed version is kept.
 *
 * <p>Resources from etcd may be incomplete, and what is missing fails closed: a route that names
 * an upstream that does not exist keeps its plugins and answers 502 where it would proxy (as
 * APISIX does); one that names a missing service or plugin config cannot know its plugins and
 * answers 503, as do {@link Unservable} routes, and every route while a global rule is unservable.
 */
public final class SnapshotBuilder {
    private final UpstreamCompiler upstreams;
    private final RouteHandlerFactory handlers;
    private final Timeouts defaultTimeout;
    private final PluginCatalog catalog;
    private final PluginOutputs outputs;

    /** @param outputs the gateway's shared log files and drop counts, for plugins that use them */
    public SnapshotBuilder(UpstreamCompiler upstreams, RouteHandlerFactory handlers, Timeouts defaultTimeout,
                           PluginCatalog catalog, PluginOutputs outputs) {
        this.upstreams = upstreams;
        this.handlers = handlers;
        this.defaultTimeout = defaultTimeout;
        this.catalog = catalog;
        this.outputs = outputs;
    }

    public Snapshot build(Resources resources, long version) throws ConfigException {
        Problems problems = new Problems();
        CompileServices services = new CompileServices(credentials(resources.consumers(), problems),
                resources.consumers().stream().map(Consumer::username).collect(Collectors.toSet()), "", outputs);
        PlaceCompiler plugins = new PlaceCompiler(catalog, services, problems);
        try {
            Snapshot snapshot = build(resources, version, problems, plugins);
            problems.throwIfAny();
            return snapshot;
        } catch (ConfigException | RuntimeException e) {
            // nothing of a failed version serves: release what its plugins already hold
            PluginChain.of(plugins.created()).closeAll();
            throw e;
        }
    }

    private Snapshot build(Resources resources, long version, Problems problems, PlaceCompiler plugins) {
        Map<String, Upstream> upstreamConfigs = index(resources.upstreams(), Upstream::id);
        Map<String, CompiledUpstream> compiled = new HashMap<>();
        for (int i = 0; i < resources.upstreams().size(); i++) {
            Upstream u = resources.upstreams().get(i);
            compiled.put(u.id(), upstreams.compile(u, u.id(), Problems.index("upstreams", i), problems));
        }
        Map<String, Service> services = index(resources.services(), Service::id);
        Map<String, CompiledUpstream> serviceInline = new HashMap<>();
        Map<String, PlaceCompiler.Place> servicePlugins = new HashMap<>();
        for (int i = 0; i < resources.services().size(); i++) {
            Service s = resources.services().get(i);
            String path = Problems.index("services", i);
            if (s.upstream() != null) {
                serviceInline.put(s.id(), upstreams.compile(s.upstream(), "service " + s.id(), path + ".upstream", problems));
            }
            servicePlugins.put(s.id(), plugins.compile(s.plugins(), path, "service:" + s.id()));
        }
        Map<String, PlaceCompiler.Place> pluginConfigs = new HashMap<>();
        for (int i = 0; i < resources.pluginConfigs().size(); i++) {
            PluginConfig pc = resources.pluginConfigs().get(i);
            pluginConfigs.put(pc.id(), plugins.compile(pc.plugins(), Problems.index("plugin_configs", i), "plugin_config:" + pc.id()));
        }
        List<PluginChain> globalChains = new ArrayList<>();
        TreeSet<String> globalMissing = new TreeSet<>();
        for (int i = 0; i < resources.globalRules().size(); i++) {
            GlobalRule rule = resources.globalRules().get(i);
            PlaceCompiler.Place place = plugins.compile(rule.plugins(), Problems.index("global_rules", i), "global_rule:" + rule.id());
            globalChains.add(PluginChain.of(place.bindings()));
            globalMissing.addAll(place.missing());
        }
        PluginChain globalChain = PluginChain.concat(globalChains);
        ConsumerDirectory consumers = consumers(resources.consumers(), plugins);

        Unservable unservable = resources.unservable();
        Router.Builder<ActiveRoute> router = Router.builder();
        int routed = 0;
        for (int i = 0; i < resources.routes().size(); i++) {
            Route route = resources.routes().get(i);
            String path = Problems.index("routes", i);
            if (!route.enabled()) {
                continue;
            }
            RouteConditions conditions = conditions(route, path, problems);
            if (unservable.routes().contains(route.id())) {
                // all that is known of it is what it matches
                if (add(router, RoutePlan.unservable(route.id(), defaultTimeout), route, route.hosts(), conditions, path, problems)) {
                    routed++;
                }
                continue;
            }
            Service service = route.serviceId() == null ? null : services.get(route.serviceId());

            CompiledUpstream client;
            Upstream upstreamConfig;
            String upstreamId = null;
            if (route.upstream() != null) {
                upstreamConfig = route.upstream();
                client = upstreams.compile(route.upstream(), "route " + route.id(), path + ".upstream", problems);
            } else if (route.upstreamId() != null) {
                upstreamId = route.upstreamId();
                upstreamConfig = upstreamConfigs.get(upstreamId);
                client = compiled.get(upstreamId);
            } else if (service != null && service.upstream() != null) {
                upstreamConfig = service.upstream();
                client = serviceInline.get(service.id());
            } else if (service != null && service.upstreamId() != null) {
                upstreamId = service.upstreamId();
                upstreamConfig = upstreamConfigs.get(upstreamId);
                client = compiled.get(upstreamId);
            } else {
                upstreamConfig = null;
                client = null;
            }
            Timeouts timeout = route.timeout() != null ? route.timeout()
                    : upstreamConfig != null && upstreamConfig.timeout() != null ? upstreamConfig.timeout()
                    : defaultTimeout;
            String rewriteHost = upstreamConfig != null && "rewrite".equals(upstreamConfig.passHost())
                    ? upstreamConfig.upstreamHost() : null;

            // precedence: service < plugin config < route
            PlaceCompiler.Place own = plugins.compile(route.plugins(), path, "route:" + route.id());
            PlaceCompiler.Place fromService = service == null ? PlaceCompiler.Place.EMPTY : servicePlugins.get(service.id());
            PlaceCompiler.Place fromConfig = route.pluginConfigId() == null ? PlaceCompiler.Place.EMPTY
                    : pluginConfigs.getOrDefault(route.pluginConfigId(), PlaceCompiler.Place.EMPTY);
            PluginChain routeChain = PluginChain.of(fromService.bindings())
                    .overriddenBy(PluginChain.of(fromConfig.bindings()))
                    .overriddenBy(PluginChain.of(own.bindings()));
            List<String> missing = missing(route, service, globalMissing, own, fromService, fromConfig);
            // A service or plugin config that is not there holds plugins the route cannot run without
            // (only etcd gets here: a file or an Admin API write with such a reference is refused).
            boolean pluginsUnknown = !unservable.globalRules().isEmpty()
                    || route.serviceId() != null && service == null
                    || route.pluginConfigId() != null && !pluginConfigs.containsKey(route.pluginConfigId());

            boolean websocket = route.enableWebsocket() != null ? route.enableWebsocket()
                    : service != null && Boolean.TRUE.equals(service.enableWebsocket());
            String missingUpstream = upstreamId != null && !upstreamConfigs.containsKey(upstreamId) ? upstreamId : null;
            RoutePlan plan = new RoutePlan(route.id(), route.serviceId(), client, missingUpstream, timeout, rewriteHost,
                    missing, pluginsUnknown, websocket, globalChain, routeChain, consumers);

            List<String> hosts = !route.hosts().isEmpty() ? route.hosts()
                    : service != null ? service.hosts() : List.of();
            if (add(router, plan, route, hosts, conditions, path, problems)) {
                routed++;
            }
        }
        CertificateTable certificates = certificates(resources.ssls(), problems);
        return new Snapshot(version, router.build(), certificates, routed, resources.upstreams().size(),
                PluginChain.of(plugins.created()));
    }

    /** Adds the route to the router; false (with the error reported) when its hosts or path pattern are invalid. */
    private boolean add(Router.Builder<ActiveRoute> router, RoutePlan plan, Route route, List<String> hosts,
                        RouteConditions conditions, String path, Problems problems) {
        checkHosts(hosts, path, problems);
        try {
            router.add(new ActiveRoute(plan, handlers.create(plan)), route.uris(), hosts, conditions, route.priority());
            return true;
        } catch (IllegalArgumentException e) {
            problems.add(Problems.join(path, route.uris().size() == 1 ? "uri" : "uris"), e.getMessage());
            return false;
        }
    }

    /**
     * Names the route would run that no loaded plugin provides: its own, its service's and plugin
     * config's unless the route overrides them, and the global rules'.
     */
    private static List<String> missing(Route route, Service service, TreeSet<String> global, PlaceCompiler.Place own,
                                        PlaceCompiler.Place fromService, PlaceCompiler.Place fromConfig) {
        TreeSet<String> missing = new TreeSet<>(global);
        missing.addAll(own.missing());
        for (PlaceCompiler.Place inherited : List.of(fromService, fromConfig)) {
            for (String name : inherited.missing()) {
                if (!route.plugins().containsKey(name)) {
                    missing.add(name);
                }
            }
        }
        return List.copyOf(missing);
    }

    /**
     * Every consumer's credentials for the authentication plugins, validated by those plugins;
     * a credential key two consumers share is an error, since it could not say who is calling.
     */
    private Map<String, List<ConsumerCredential>> credentials(List<Consumer> consumers, Problems problems) {
        PlaceCompiler validator = new PlaceCompiler(catalog, CompileServices.NONE, problems);
        Map<String, List<ConsumerCredential>> out = new LinkedHashMap<>();
        Map<String, String> keyPlaces = new HashMap<>();
        for (int i = 0; i < consumers.size(); i++) {
            Consumer consumer = consumers.get(i);
            for (Map.Entry<String, JsonNode> entry : consumer.plugins().entrySet()) {
                LoadedPlugin plugin = catalog.get(entry.getKey());
                if (plugin == null || !plugin.plugin().authenticates() || PlaceCompiler.isDisabled(entry.getValue())) {
                    continue;
                }
                String place = Problems.index("consumers", i) + ".plugins." + entry.getKey();
                if (!validator.validateCredential(plugin, entry.getValue(), place)) {
                    continue;
                }
                String keyField = plugin.plugin().credentialKey();
                if (keyField != null && entry.getValue().path(keyField).isValueNode()) {
                    String key = entry.getValue().path(keyField).asText();
                    String first = keyPlaces.putIfAbsent(entry.getKey() + "\u0000" + key, place);
                    if (first != null) {
                        problems.add(place + "." + keyField, "duplicate " + keyField + " \"" + key + "\" (first used at " + first + ")");
                        continue;
                    }
                }
                out.computeIfAbsent(entry.getKey(), k -> new ArrayList<>())
                        .add(new ConsumerCredential(consumer.username(), entry.getValue()));
            }
        }
        out.replaceAll((name, list) -> List.copyOf(list));
        return out;
    }

    /** Each consumer's runnable plugins (authentication entries are credentials, not plugins to run). */
    private ConsumerDirectory consumers(List<Consumer> consumers, PlaceCompiler plugins) {
        if (consumers.isEmpty()) {
            return ConsumerDirectory.EMPTY;
        }
        Map<String, ConsumerDirectory.ConsumerPlugins> out = new HashMap<>();
        for (int i = 0; i < consumers.size(); i++) {
            Consumer consumer = consumers.get(i);
            Map<String, JsonNode> runnable = new LinkedHashMap<>(consumer.plugins());
            runnable.keySet().removeIf(name -> catalog.get(name) != null && catalog.get(name).plugin().authenticates());
            PlaceCompiler.Place place = plugins.compile(runnable, Problems.index("consumers", i), "consumer:" + consumer.username());
            out.put(consumer.username(), new ConsumerDirectory.ConsumerPlugins(PluginChain.of(place.bindings()), place.missing()));
        }
        return new ConsumerDirectory(out);
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

    private static <T> Map<String, T> index(List<T> items, Function<T, String> id) {
        Map<String, T> out = new HashMap<>();
        items.forEach(item -> out.put(id.apply(item), item));
        return out;
    }
}
