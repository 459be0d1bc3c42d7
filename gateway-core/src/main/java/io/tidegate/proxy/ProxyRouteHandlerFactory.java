package io.tidegate.proxy;

import io.tidegate.config.RequestLimits;
import io.tidegate.runtime.RouteHandlerFactory;
import io.tidegate.runtime.RoutePlan;
import io.undertow.server.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds each route's handler when a snapshot is compiled: the plugin phases (when any plugin
 * applies) around the proxy to the route's upstream. A route that cannot serve safely gets a
 * handler that refuses: a plugin it names is not loaded (fail closed: 503, never skip the plugin),
 * or, once its plugins let the request through, it has no upstream.
 */
public final class ProxyRouteHandlerFactory implements RouteHandlerFactory {
    private static final Logger log = LoggerFactory.getLogger(ProxyRouteHandlerFactory.class);
    private static final HttpHandler NO_NODES = new FixedErrorHandler(502, "502 Bad Gateway");
    private static final HttpHandler NO_UPSTREAM = new FixedErrorHandler(503, "missing upstream configuration in Route or Service");

    private final RequestLimits limits;

    public ProxyRouteHandlerFactory(RequestLimits limits) {
        this.limits = limits;
    }

    @Override
    public HttpHandler create(RoutePlan plan) {
        if (!plan.missingPlugins().isEmpty()) {
            String name = plan.missingPlugins().get(0);
            log.error("route {} uses plugin(s) {} that are not loaded; it answers 503 until they are",
                    plan.routeId(), plan.missingPlugins());
            return new FixedErrorHandler(503, "plugin " + name + " is not loaded");
        }
        HttpHandler proxy = plan.upstream() == null ? NO_UPSTREAM : proxy(plan);
        return new PrepareUpstreamRequest(plan, plan.hasPlugins() ? new PluginPhasesHandler(plan, proxy) : proxy);
    }

    private HttpHandler proxy(RoutePlan plan) {
        if (!plan.upstream().hasNodes()) {
            log.warn("route {}: upstream {} has no node with weight > 0; it answers 502", plan.routeId(), plan.upstream().name());
            return NO_NODES;
        }
        return new RouteProxyHandler(plan, limits);
    }
}
