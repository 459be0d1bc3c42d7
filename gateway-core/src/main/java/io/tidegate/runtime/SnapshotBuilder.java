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
import io.tidegate.config.VarRule;
import io.tidegate.plugin.CompileServices;
import io.tidegate.plugin.ConsumerDirectory;
import io.tidegate.plugin.LoadedPlugin;
import io.tidegate.plugin.PlaceCompiler;
import io.tidegate.plugin.PluginBinding;
import io.tidegate.plugin.PluginCatalog;
import io.tidegate.plugin.PluginAttributes;
import io.tidegate.plugin.PluginChain;
import io.tidegate.plugin.PluginOutputs;
import io.tidegate.plugin.api.PluginServices.Credential;
import io.tidegate.plugin.api.IpRange;
import io.tidegate.route.RouteConditions;
import io.tidegate.route.Router;
import io.tidegate.route.VarCondition;
import io.tidegate.tls.CertificateTable;
import io.tidegate.health.HealthCheckers;
import io.tidegate.health.ProbeTarget;
import io.tidegate.runtime.CompiledPieces.Certificates;
import io.tidegate.runtime.CompiledPieces.Consumers;
import io.tidegate.runtime.CompiledPieces.Globals;
import io.tidegate.runtime.CompiledPieces.PlacePiece;
import io.tidegate.runtime.CompiledPieces.RouteInputs;
import io.tidegate.runtime.CompiledPieces.RoutePiece;
import io.tidegate.runtime.CompiledPieces.ServicePiece;
import io.tidegate.runtime.CompiledPieces.UpstreamPiece;
import io.tidegate.upstream.CompiledUpstream;
import io.tidegate.upstream.UpstreamTarget;
import io.tidegate.plugin.PluginUpstreams;
import io.tidegate.plugin.api.UpstreamRef;
import io.tidegate.config.ResourceReader;
import io.tidegate.upstream.UpstreamCompiler;
import io.tidegate.upstream.NodeEndpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Compiles validated resources into a {@link Snapshot}: applies APISIX's merge rules (service <
 * plugin config < route; consumer plugins join after authentication), builds every plugin instance
 * once, compiles each upstream once, compiles route conditions and builds the router. Problems that
 * only compiling reveals (a plugin rejecting its config, a bad regex in {@code vars}, a bad CIDR, a
 * malformed path pattern, a certificate that does not parse) are reported with their paths, all at
 * once; then nothing of the failed version is kept.
 *
 * <p>A version reuses the previous version's pieces ({@link CompiledPieces}) whose inputs did not
 * change: with 10,000 routes, one changed route compiles one route. The router itself is built
 * anew every time (from the routes' compiled forms): it is immutable, and a request reads one.
 *
 * <p>Resources from etcd may be incomplete, and what is missing fails closed: a route that names
 * an upstream that does not exist keeps its plugins and answers 502 where it would proxy (as
 * APISIX does); one that names a missing service or plugin config cannot know its plugins and
 * answers 503, as do {@link Unservable} routes, and every route while a global rule is unservable.
 */
public final class SnapshotBuilder {
    private final Supplier<UpstreamCompiler> upstreamCompilers;
    private final RouteHandlerFactory handlers;
    private final Timeouts defaultTimeout;
    private final PluginCatalog catalog;
    private final PluginOutputs outputs;
    private final Map<String, JsonNode> pluginAttributes;

    /**
     * @param upstreamCompilers a fresh compiler per upstream, so each compiled upstream knows the
     *                          pools and checked nodes it uses when a later version reuses it
     * @param outputs           the gateway's shared log files and drop counts, for plugins that use them
     */
    public SnapshotBuilder(Supplier<UpstreamCompiler> upstreamCompilers, RouteHandlerFactory handlers, Timeouts defaultTimeout,
                           PluginCatalog catalog, PluginOutputs outputs) {
        this(upstreamCompilers, handlers, defaultTimeout, catalog, outputs, Map.of());
    }

    /** @param pluginAttributes {@code tidegate.plugin_attr}: each plugin's settings as written, bound at every build */
    public SnapshotBuilder(Supplier<UpstreamCompiler> upstreamCompilers, RouteHandlerFactory handlers, Timeouts defaultTimeout,
                           PluginCatalog catalog, PluginOutputs outputs, Map<String, JsonNode> pluginAttributes) {
        this.pluginAttributes = pluginAttributes;
        this.upstreamCompilers = upstreamCompilers;
        this.handlers = handlers;
        this.defaultTimeout = defaultTimeout;
        this.catalog = catalog;
        this.outputs = outputs;
    }

    /**
     * A version compiled: the snapshot, its pieces for the next version to reuse, and the
     * connection pools and health-checked nodes it uses (the rest can go once it serves).
     */
    public record Build(Snapshot snapshot, CompiledPieces pieces, Set<NodeEndpoint> pools,
                        Map<HealthCheckers.Key, Set<ProbeTarget>> checked) {}

    /** Compiles a version from scratch that owns its plugin instances: one that is checked, never served. */
    public Build build(Resources resources, long version) throws ConfigException {
        return build(resources, version, CompiledPieces.NONE, null);
    }

    /**
     * Compiles a version, reusing each piece of {@code previous} (the serving version's) whose
     * inputs did not change. Its plugin instances are counted in {@code ledger}, which closes each
     * when the last version using it closes.
     */
    public Build build(Resources resources, long version, CompiledPieces previous, PluginLedger ledger) throws ConfigException {
        Problems problems = new Problems();
        Compilation compilation = new Compilation(resources, previous.catalog == catalog ? previous : CompiledPieces.NONE, problems);
        try {
            return compilation.run(version, ledger);
        } catch (ConfigException | RuntimeException e) {
            // nothing of a failed version serves: release what it created (what it reused stays with the versions using it)
            PluginChain.of(compilation.plugins == null ? List.of() : compilation.plugins.created()).closeAll();
            throw e;
        }
    }

    /** One build: the pieces reused or compiled so far, and what they use. */
    private final class Compilation implements PluginUpstreams {
        private final Resources resources;
        private final CompiledPieces previous;
        private final Problems problems;
        private PlaceCompiler plugins;
        private final Map<String, UpstreamPiece> upstreams = new HashMap<>();
        private final Map<String, ServicePiece> services = new HashMap<>();
        private final Map<String, PlacePiece> pluginConfigs = new HashMap<>();
        private final Map<String, RoutePiece> routes = new HashMap<>();
        private final List<PluginBinding> used = new ArrayList<>();
        private final Set<NodeEndpoint> pools = new HashSet<>();
        private final Map<HealthCheckers.Key, Set<ProbeTarget>> checked = new LinkedHashMap<>();

        Compilation(Resources resources, CompiledPieces previous, Problems problems) {
            this.resources = resources;
            this.previous = previous;
            this.problems = problems;
        }

        Build run(long version, PluginLedger ledger) throws ConfigException {
            // new protos compile every plugin again (grpc-transcode reads them when it is compiled)
            Map<String, Object> attributes = PluginAttributes.bind(catalog, pluginAttributes, problems);
            // a replaced jar binds its attributes to records of its own classes: not equal, so nothing compiled with the old ones stays
            Consumers reusedConsumers = previous.consumers != null && CompiledPieces.same(previous.consumers.config, resources.consumers())
                    && previous.consumers.services.sameProtos(resources.protos())
                    && previous.consumers.services.attributes().equals(attributes) ? previous.consumers : null;
            CompileServices compileServices = reusedConsumers != null ? reusedConsumers.services
                    : new CompileServices(credentials(resources.consumers(), problems),
                    resources.consumers().stream().map(Consumer::username).collect(Collectors.toSet()), outputs, resources.protos(),
                    attributes);
            plugins = new PlaceCompiler(catalog, compileServices, this, problems);

            for (int i = 0; i < resources.upstreams().size(); i++) {
                Upstream u = resources.upstreams().get(i);
                int at = i;
                upstreams.put(u.id(), upstream(previous.upstreams.get(u.id()), u, u.id(), () -> Problems.index("upstreams", at)));
            }
            for (int i = 0; i < resources.services().size(); i++) {
                Service s = resources.services().get(i);
                services.put(s.id(), service(s, Problems.index("services", i), compileServices));
            }
            for (int i = 0; i < resources.pluginConfigs().size(); i++) {
                PluginConfig pc = resources.pluginConfigs().get(i);
                pluginConfigs.put(pc.id(), pluginConfig(pc, Problems.index("plugin_configs", i), compileServices));
            }
            Globals globals = globals(compileServices);
            used.addAll(globals.bindings);
            Consumers consumers = reusedConsumers != null ? reusedConsumers
                    : consumers(resources.consumers(), compileServices);
            used.addAll(consumers.bindings);

            Router.Builder<ActiveRoute> router = Router.builder();
            int routed = 0;
            for (int i = 0; i < resources.routes().size(); i++) {
                Route route = resources.routes().get(i);
                if (route.enabled() && route(route, i, globals, consumers, router)) {
                    routed++;
                }
            }
            Certificates certificates = previous.certificates != null && CompiledPieces.same(previous.certificates.config, resources.ssls())
                    ? previous.certificates : new Certificates(resources.ssls(), certificates(resources.ssls(), problems));
            // a plugin instance kept from the previous version keeps the upstreams it compiled open too
            for (PluginBinding binding : used) {
                for (PluginUpstreams.Held held : binding.upstreams()) {
                    if (held instanceof UpstreamPiece piece) {
                        hold(piece);
                    }
                }
            }
            problems.throwIfAny();
            Router<ActiveRoute> built = router.build();
            // counted last, once nothing can fail: a failed build only closes what it created
            PluginUse use = ledger == null ? PluginUse.owned(used) : PluginUse.shared(used, ledger);
            Map<String, List<String>> notLoaded = new LinkedHashMap<>();
            routes.forEach((id, piece) -> {
                if (!piece.active.plan().missingPlugins().isEmpty()) {
                    notLoaded.put(id, piece.active.plan().missingPlugins());
                }
            });
            RoutePlan unmatchedPlan = new RoutePlan(null, null, null, null, null, null, defaultTimeout, null, List.copyOf(globals.missing),
                    !resources.unservable().globalRules().isEmpty(), false, globals.chain, PluginChain.EMPTY, consumers.directory);
            ActiveRoute unmatched = new ActiveRoute(unmatchedPlan, handlers.unmatched(unmatchedPlan));
            Map<String, RoutePlan> plans = new java.util.HashMap<>();
            routes.forEach((id, piece) -> plans.put(id, piece.active.plan()));
            Snapshot snapshot = new Snapshot(version, built, unmatched, certificates.table, routed, resources.upstreams().size(), use,
                    notLoaded, upstreamTargets(), plans);
            CompiledPieces pieces = new CompiledPieces(catalog, consumers, upstreams, services, pluginConfigs, globals, routes, certificates);
            return new Build(snapshot, pieces, Set.copyOf(pools), checked);
        }

        /**
         * The previous piece when it compiled the same upstream under the same name, else a new one;
         * counted as used either way. {@code path} is only made for errors of a new one: with
         * thousands of routes, making every path on every change showed in a profile.
         */
        private UpstreamPiece upstream(UpstreamPiece before, Upstream config, String name, Supplier<String> path) {
            UpstreamPiece piece = before != null && before.reusableFor(config, name) ? before : null;
            if (piece == null) {
                UpstreamCompiler compiler = upstreamCompilers.get();
                CompiledUpstream compiled = compiler.compile(config, name, path.get(), problems);
                piece = new UpstreamPiece(config, name, compiled, compiler.usedPools(), compiler.checkedNodes());
            }
            hold(piece);
            return piece;
        }

        /** Counts the piece's pools and health-checked nodes as used by this version. */
        private void hold(UpstreamPiece piece) {
            pools.addAll(piece.pools);
            piece.checked.forEach((key, targets) -> checked.computeIfAbsent(key, k -> new LinkedHashSet<>()).addAll(targets));
        }

        @Override
        public UpstreamRef inline(String name, String path, JsonNode config, List<PluginUpstreams.Held> held) {
            Upstream upstream = new ResourceReader(problems).inlineUpstream(config, path);
            if (upstream == null) {
                throw new PluginUpstreams.Reported();
            }
            int before = problems.problems().size();
            UpstreamPiece piece = upstream(null, upstream, name, () -> path);
            if (problems.problems().size() != before) {
                throw new PluginUpstreams.Reported();
            }
            held.add(piece);
            return piece.target;
        }

        private Map<String, UpstreamTarget> upstreamTargets() {
            Map<String, UpstreamTarget> targets = new HashMap<>(upstreams.size() * 2);
            upstreams.forEach((id, piece) -> targets.put(id, piece.target));
            return targets;
        }

        private ServicePiece service(Service s, String path, CompileServices compileServices) {
            ServicePiece before = previous.services.get(s.id());
            ServicePiece piece;
            if (before != null && CompiledPieces.same(before.config, s) && before.services == compileServices) {
                piece = before;
                if (piece.inline != null) {
                    upstream(piece.inline, s.upstream(), piece.inline.name, () -> path + ".upstream");
                }
            } else {
                UpstreamPiece inline = s.upstream() == null ? null
                        : upstream(before == null ? null : before.inline, s.upstream(), "service " + s.id(), () -> path + ".upstream");
                piece = new ServicePiece(s, compileServices, plugins.compile(s.plugins(), path, "service:" + s.id()), inline);
            }
            used.addAll(piece.plugins.bindings());
            return piece;
        }

        private PlacePiece pluginConfig(PluginConfig pc, String path, CompileServices compileServices) {
            PlacePiece before = previous.pluginConfigs.get(pc.id());
            PlacePiece piece = before != null && CompiledPieces.same(before.plugins, pc.plugins()) && before.services == compileServices
                    ? before : new PlacePiece(pc.plugins(), compileServices, plugins.compile(pc.plugins(), path, "plugin_config:" + pc.id()));
            used.addAll(piece.place.bindings());
            return piece;
        }

        private Globals globals(CompileServices compileServices) {
            Globals before = previous.globals;
            if (before != null && CompiledPieces.same(before.config, resources.globalRules()) && before.services == compileServices) {
                return before;
            }
            List<PluginChain> chains = new ArrayList<>();
            List<PluginBinding> bindings = new ArrayList<>();
            TreeSet<String> missing = new TreeSet<>();
            for (int i = 0; i < resources.globalRules().size(); i++) {
                GlobalRule rule = resources.globalRules().get(i);
                PlaceCompiler.Place place = plugins.compile(rule.plugins(), Problems.index("global_rules", i), "global_rule:" + rule.id());
                chains.add(PluginChain.of(place.bindings()));
                bindings.addAll(place.bindings());
                missing.addAll(place.missing());
            }
            return new Globals(resources.globalRules(), compileServices, PluginChain.concat(chains), missing, List.copyOf(bindings));
        }

        /** Each consumer's runnable plugins (authentication entries are credentials, not plugins to run). */
        private Consumers consumers(List<Consumer> consumers, CompileServices compileServices) {
            if (consumers.isEmpty()) {
                return new Consumers(consumers, compileServices, ConsumerDirectory.EMPTY, List.of());
            }
            Map<String, ConsumerDirectory.ConsumerPlugins> out = new HashMap<>();
            List<PluginBinding> bindings = new ArrayList<>();
            for (int i = 0; i < consumers.size(); i++) {
                Consumer consumer = consumers.get(i);
                Map<String, JsonNode> runnable = new LinkedHashMap<>(consumer.plugins());
                runnable.keySet().removeIf(name -> catalog.get(name) != null && catalog.get(name).authenticates());
                PlaceCompiler.Place place = plugins.compile(runnable, Problems.index("consumers", i), "consumer:" + consumer.username());
                out.put(consumer.username(), new ConsumerDirectory.ConsumerPlugins(PluginChain.of(place.bindings()), place.missing(),
                        place.disabled()));
                bindings.addAll(place.bindings());
            }
            return new Consumers(consumers, compileServices, new ConsumerDirectory(out), List.copyOf(bindings));
        }

        /** Adds the route (its previous piece when nothing it depends on changed); false when it cannot be routed. */
        private boolean route(Route route, int index, Globals globals, Consumers consumers, Router.Builder<ActiveRoute> router) {
            Unservable unservable = resources.unservable();
            boolean placeholder = unservable.routes().contains(route.id());
            ServicePiece service = route.serviceId() == null ? null : services.get(route.serviceId());
            PlacePiece pluginConfig = route.pluginConfigId() == null ? null : pluginConfigs.get(route.pluginConfigId());
            String upstreamId = route.upstream() != null ? null : route.upstreamId() != null ? route.upstreamId()
                    : service != null && service.config.upstream() == null ? service.config.upstreamId() : null;
            // A service or plugin config that is not there holds plugins the route cannot run without
            // (only etcd gets here: a file or an Admin API write with such a reference is refused).
            boolean pluginsUnknown = !unservable.globalRules().isEmpty()
                    || route.serviceId() != null && service == null
                    || route.pluginConfigId() != null && pluginConfig == null;
            RouteInputs inputs = new RouteInputs(route, placeholder, pluginsUnknown, service, pluginConfig,
                    upstreamId == null ? null : upstreams.get(upstreamId), globals, consumers.services, consumers.directory);
            RoutePiece before = previous.routes.get(route.id());
            RoutePiece piece = before != null && inputs.sameAs(before.inputs) ? before
                    : compile(route, Problems.index("routes", index), inputs, before);
            if (piece.inline != null) {
                upstream(piece.inline, route.upstream(), piece.inline.name, () -> Problems.index("routes", index) + ".upstream");
            }
            used.addAll(piece.bindings);
            try {
                router.add(piece.active, route.uris(), piece.hosts, piece.conditions, route.priority());
            } catch (IllegalArgumentException e) {
                problems.add(Problems.join(Problems.index("routes", index), route.uris().size() == 1 ? "uri" : "uris"), e.getMessage());
                return false;
            }
            routes.put(route.id(), piece);
            return true;
        }

        /** Compiles a route: merges its plugins (service < plugin config < route) and resolves its upstream. */
        private RoutePiece compile(Route route, String path, RouteInputs inputs, RoutePiece before) {
            RouteConditions conditions = conditions(route, path, problems);
            if (inputs.placeholder()) {
                // all that is known of it is what it matches
                checkHosts(route.hosts(), path, problems);
                RoutePlan plan = RoutePlan.unservable(route.id(), defaultTimeout);
                return new RoutePiece(inputs, new ActiveRoute(plan, handlers.create(plan)), conditions, route.hosts(), List.of(), null);
            }
            Service service = inputs.service() == null ? null : inputs.service().config;
            UpstreamPiece inline = null;
            CompiledUpstream client;
            Upstream upstreamConfig;
            String upstreamId = null;
            if (route.upstream() != null) {
                inline = upstream(before == null ? null : before.inline, route.upstream(), "route " + route.id(), () -> path + ".upstream");
                upstreamConfig = route.upstream();
                client = inline.compiled;
            } else if (service != null && route.upstreamId() == null && service.upstream() != null) {
                upstreamConfig = service.upstream();
                client = inputs.service().inline.compiled;
            } else {
                upstreamId = route.upstreamId() != null ? route.upstreamId() : service == null ? null : service.upstreamId();
                upstreamConfig = inputs.upstream() == null ? null : inputs.upstream().config;
                client = inputs.upstream() == null ? null : inputs.upstream().compiled;
            }
            Timeouts timeout = route.timeout() != null ? route.timeout()
                    : upstreamConfig != null && upstreamConfig.timeout() != null ? upstreamConfig.timeout()
                    : defaultTimeout;
            String rewriteHost = upstreamConfig != null && "rewrite".equals(upstreamConfig.passHost())
                    ? upstreamConfig.upstreamHost() : null;

            // precedence: service < plugin config < route
            PlaceCompiler.Place own = plugins.compile(route.plugins(), path, "route:" + route.id());
            PlaceCompiler.Place fromService = inputs.service() == null ? PlaceCompiler.Place.EMPTY : inputs.service().plugins;
            PlaceCompiler.Place fromConfig = inputs.pluginConfig() == null ? PlaceCompiler.Place.EMPTY : inputs.pluginConfig().place;
            // a place's _meta.disable turns the inherited plugin of that name off too, as in APISIX
            PluginChain routeChain = PluginChain.of(fromService.bindings()).without(fromConfig.disabled())
                    .overriddenBy(PluginChain.of(fromConfig.bindings())).without(own.disabled())
                    .overriddenBy(PluginChain.of(own.bindings()));
            List<String> missing = missing(route, inputs.globals().missing, own, fromService, fromConfig);
            boolean websocket = route.enableWebsocket() != null ? route.enableWebsocket()
                    : service != null && Boolean.TRUE.equals(service.enableWebsocket());
            String missingUpstream = upstreamId != null && inputs.upstream() == null ? upstreamId : null;
            RoutePlan plan = new RoutePlan(route.id(), route.serviceId(), route.name(), service == null ? null : service.name(), client,
                    missingUpstream, timeout, rewriteHost,
                    missing, inputs.pluginsUnknown(), websocket, inputs.globals().chain, routeChain, inputs.consumers());
            List<String> hosts = !route.hosts().isEmpty() ? route.hosts()
                    : service != null ? service.hosts() : List.of();
            checkHosts(hosts, path, problems);
            return new RoutePiece(inputs, new ActiveRoute(plan, handlers.create(plan)), conditions, hosts, own.bindings(), inline);
        }
    }

    /**
     * Names the route would run that no loaded plugin provides: its own, its service's and plugin
     * config's unless the route overrides them, and the global rules'.
     */
    private static List<String> missing(Route route, Set<String> global, PlaceCompiler.Place own,
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
    private Map<String, List<Credential<?>>> credentials(List<Consumer> consumers, Problems problems) {
        PlaceCompiler validator = new PlaceCompiler(catalog, new CompileServices(Map.of(), Set.of(), PluginOutputs.DISCARD), problems);
        Map<String, List<Credential<?>>> out = new LinkedHashMap<>();
        Map<String, String> keyPlaces = new HashMap<>();
        for (int i = 0; i < consumers.size(); i++) {
            Consumer consumer = consumers.get(i);
            for (Map.Entry<String, JsonNode> entry : consumer.plugins().entrySet()) {
                LoadedPlugin plugin = catalog.get(entry.getKey());
                if (plugin == null || !plugin.authenticates() || PlaceCompiler.isDisabled(entry.getValue())) {
                    continue;
                }
                String place = Problems.index("consumers", i) + ".plugins." + entry.getKey();
                Object credential = validator.bindCredential(plugin, entry.getValue(), place);
                if (credential == null) {
                    continue;
                }
                String keyField = plugin.auth().credentialKey();
                if (keyField != null && entry.getValue().path(keyField).isValueNode()) {
                    String key = entry.getValue().path(keyField).asText();
                    String first = keyPlaces.putIfAbsent(entry.getKey() + "\u0000" + key, place);
                    if (first != null) {
                        problems.add(place + "." + keyField, "duplicate " + keyField + " \"" + key + "\" (first used at " + first + ")");
                        continue;
                    }
                }
                out.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(new Credential<>(consumer.username(), credential));
            }
        }
        out.replaceAll((name, list) -> List.copyOf(list));
        return out;
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
            VarRule expression = route.vars().get(j);
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
}
