package io.tidegate.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.config.Consumer;
import io.tidegate.config.GlobalRule;
import io.tidegate.config.Route;
import io.tidegate.config.Service;
import io.tidegate.config.Ssl;
import io.tidegate.config.Upstream;
import io.tidegate.health.HealthCheckers;
import io.tidegate.health.ProbeTarget;
import io.tidegate.plugin.CompileServices;
import io.tidegate.plugin.ConsumerDirectory;
import io.tidegate.plugin.PlaceCompiler;
import io.tidegate.plugin.PluginBinding;
import io.tidegate.plugin.PluginCatalog;
import io.tidegate.plugin.PluginChain;
import io.tidegate.route.RouteConditions;
import io.tidegate.tls.CertificateTable;
import io.tidegate.upstream.CompiledUpstream;
import io.tidegate.upstream.UpstreamTarget;
import io.tidegate.plugin.PluginUpstreams;
import io.tidegate.upstream.NodeEndpoint;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What compiling one version produced, piece by piece, so that the next version reuses each piece
 * whose inputs did not change instead of compiling everything again: a change to one route of
 * 10,000 compiles that route, not 10,000 handlers, plugin chains and conditions. Only a version
 * that compiled leaves pieces, and only its own: a piece is reused by the version right after the
 * one that used it, never later, so whatever it refers to (a health checker, a plugin instance) is
 * still alive. Pieces compare by identity: one reused as it was is the same object.
 */
public final class CompiledPieces {
    /** Nothing to reuse: the first version, or one compiled afresh on purpose (new DNS answers). */
    public static final CompiledPieces NONE = new CompiledPieces(null, null, Map.of(), Map.of(), Map.of(), null, Map.of(), null);

    final PluginCatalog catalog;
    final Consumers consumers;
    final Map<String, UpstreamPiece> upstreams;
    final Map<String, ServicePiece> services;
    final Map<String, PlacePiece> pluginConfigs;
    final Globals globals;
    final Map<String, RoutePiece> routes;
    final Certificates certificates;

    CompiledPieces(PluginCatalog catalog, Consumers consumers, Map<String, UpstreamPiece> upstreams,
                   Map<String, ServicePiece> services, Map<String, PlacePiece> pluginConfigs, Globals globals,
                   Map<String, RoutePiece> routes, Certificates certificates) {
        this.catalog = catalog;
        this.consumers = consumers;
        this.upstreams = upstreams;
        this.services = services;
        this.pluginConfigs = pluginConfigs;
        this.globals = globals;
        this.routes = routes;
        this.certificates = certificates;
    }

    /** Whether two configuration values are the same: the same object when read from the same etcd text. */
    static boolean same(Object a, Object b) {
        return a == b || Objects.equals(a, b);
    }

    /** An upstream compiled, with the connection pools and health-checked nodes it uses. */
    static final class UpstreamPiece implements PluginUpstreams.Held {
        final Upstream config;
        final String name;
        final CompiledUpstream compiled;
        /** What a plugin that chooses this upstream sends to. */
        final UpstreamTarget target;
        final Set<NodeEndpoint> pools;
        final Map<HealthCheckers.Key, Set<ProbeTarget>> checked;

        UpstreamPiece(Upstream config, String name, CompiledUpstream compiled, Set<NodeEndpoint> pools,
                      Map<HealthCheckers.Key, Set<ProbeTarget>> checked) {
            this.config = config;
            this.name = name;
            this.compiled = compiled;
            this.target = new UpstreamTarget(compiled, config.timeout(),
                    "rewrite".equals(config.passHost()) ? config.upstreamHost() : null);
            this.pools = pools;
            this.checked = checked;
        }

        boolean reusableFor(Upstream next, String nextName) {
            return same(config, next) && name.equals(nextName);
        }
    }

    /**
     * The consumers: their credentials as authentication plugins see them while compiling (every
     * plugin instance depends on these), and each one's runnable plugins.
     */
    static final class Consumers {
        final List<Consumer> config;
        final CompileServices services;
        final ConsumerDirectory directory;
        final List<PluginBinding> bindings;

        Consumers(List<Consumer> config, CompileServices services, ConsumerDirectory directory, List<PluginBinding> bindings) {
            this.config = config;
            this.services = services;
            this.directory = directory;
            this.bindings = bindings;
        }
    }

    /**
     * The plugins of one place (a plugin config), compiled with one set of consumer credentials
     * (an authentication plugin's instance holds them).
     */
    static final class PlacePiece {
        final Map<String, JsonNode> plugins;
        final CompileServices services;
        final PlaceCompiler.Place place;

        PlacePiece(Map<String, JsonNode> plugins, CompileServices services, PlaceCompiler.Place place) {
            this.plugins = plugins;
            this.services = services;
            this.place = place;
        }
    }

    /** A service: its plugins and its inline upstream (null when it names one by id or has none). */
    static final class ServicePiece {
        final Service config;
        final CompileServices services;
        final PlaceCompiler.Place plugins;
        final UpstreamPiece inline;

        ServicePiece(Service config, CompileServices services, PlaceCompiler.Place plugins, UpstreamPiece inline) {
            this.config = config;
            this.services = services;
            this.plugins = plugins;
            this.inline = inline;
        }
    }

    /** The global rules: their chain, run first on every route, and the plugin names they use that are not loaded. */
    static final class Globals {
        final List<GlobalRule> config;
        final CompileServices services;
        final PluginChain chain;
        final Set<String> missing;
        final List<PluginBinding> bindings;

        Globals(List<GlobalRule> config, CompileServices services, PluginChain chain, Set<String> missing, List<PluginBinding> bindings) {
            this.config = config;
            this.services = services;
            this.chain = chain;
            this.missing = missing;
            this.bindings = bindings;
        }
    }

    /**
     * Everything a route's compiled form depends on. Pieces are compared by identity: a service,
     * plugin config, upstream, global rules or consumers compiled again mean the route is too.
     */
    record RouteInputs(Route route, boolean placeholder, boolean pluginsUnknown, ServicePiece service,
                       PlacePiece pluginConfig, UpstreamPiece upstream, Globals globals, CompileServices services,
                       ConsumerDirectory consumers) {
        boolean sameAs(RouteInputs other) {
            return other != null && same(route, other.route) && placeholder == other.placeholder
                    && pluginsUnknown == other.pluginsUnknown && service == other.service
                    && pluginConfig == other.pluginConfig && upstream == other.upstream && globals == other.globals
                    && services == other.services && consumers == other.consumers;
        }
    }

    /** A route compiled: its handler and plan, what the router matches it by, and its own plugin instances. */
    static final class RoutePiece {
        final RouteInputs inputs;
        final ActiveRoute active;
        final RouteConditions conditions;
        final List<String> hosts;
        final List<PluginBinding> bindings;
        final UpstreamPiece inline;

        RoutePiece(RouteInputs inputs, ActiveRoute active, RouteConditions conditions, List<String> hosts,
                   List<PluginBinding> bindings, UpstreamPiece inline) {
            this.inputs = inputs;
            this.active = active;
            this.conditions = conditions;
            this.hosts = hosts;
            this.bindings = bindings;
            this.inline = inline;
        }
    }

    /** The server certificates by SNI, parsed from the ssls. */
    static final class Certificates {
        final List<Ssl> config;
        final CertificateTable table;

        Certificates(List<Ssl> config, CertificateTable table) {
            this.config = config;
            this.table = table;
        }
    }
}
