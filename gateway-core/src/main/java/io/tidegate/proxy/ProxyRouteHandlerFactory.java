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
 * handler that refuses: it cannot know every plugin it must run, or a plugin it names is not loaded
 * (fail closed: 503, never skip the plugin), or, once its plugins let the request through, it has
 * no upstream (503), the upstream it names does not exist or has no node (502).
 */
public final class ProxyRouteHandlerFactory implements RouteHandlerFactory {
    private static final Logger log = LoggerFactory.getLogger(ProxyRouteHandlerFactory.class);
    private static final HttpHandler NO_NODES = new FixedErrorHandler(502, "502 Bad Gateway");
    /** As APISIX answers for an upstream_id that names nothing (the source logged it). */
    private static final HttpHandler MISSING_UPSTREAM = new FixedErrorHandler(502, "502 Bad Gateway");
    private static final HttpHandler NO_UPSTREAM = new FixedErrorHandler(503, "missing upstream configuration in Route or Service");
    /** No details: the source logged why, and a client has no business knowing. */
    private static final HttpHandler UNSERVABLE = new FixedErrorHandler(503, "503 Service Unavailable");
    private static final HttpHandler NO_RESOLVED_NODE = new FixedErrorHandler(503, "503 Service Unavailable");
    private static final HttpHandler NOT_FOUND = new FixedErrorHandler(404, "404 Route Not Found");

    private final RequestLimits limits;

    public ProxyRouteHandlerFactory(RequestLimits limits) {
        this.limits = limits;
    }

    @Override
    public HttpHandler create(RoutePlan plan) {
        if (plan.unservable()) {
            return UNSERVABLE;
        }
        if (!plan.missingPlugins().isEmpty()) {
            String name = plan.missingPlugins().get(0);
            log.error("route {} uses plugin(s) {} that are not loaded; it answers 503 until they are",
                    plan.routeId(), plan.missingPlugins());
            return new FixedErrorHandler(503, "plugin " + name + " is not loaded");
        }
        HttpHandler proxy = proxy(plan);
        // only a plugin that took upstreams of its own can send elsewhere (traffic-split)
        HttpHandler upstream = plan.choosesUpstreams() ? new ChosenUpstream(plan, limits, proxy) : proxy;
        return new PrepareUpstreamRequest(plan, plan.hasPlugins() ? new PluginPhasesHandler(plan, upstream) : proxy);
    }

    @Override
    public HttpHandler unmatched(RoutePlan plan) {
        // fail closed as routes do: a global rule that cannot run stops every request, matched or not
        if (plan.unservable()) {
            return UNSERVABLE;
        }
        if (!plan.missingPlugins().isEmpty()) {
            return new FixedErrorHandler(503, "plugin " + plan.missingPlugins().get(0) + " is not loaded");
        }
        return plan.hasPlugins() ? new PluginPhasesHandler(plan, NOT_FOUND) : NOT_FOUND;
    }

    private HttpHandler proxy(RoutePlan plan) {
        if (plan.missingUpstream() != null) {
            return MISSING_UPSTREAM;
        }
        if (plan.upstream() == null) {
            return NO_UPSTREAM;
        }
        if (plan.upstream().unresolved()) {
            // as APISIX when no node's name resolves: 503, where weight 0 everywhere is a 502
            log.warn("route {}: no node of upstream {} resolves; it answers 503 until one does", plan.routeId(), plan.upstream().name());
            return NO_RESOLVED_NODE;
        }
        if (!plan.upstream().hasNodes()) {
            log.warn("route {}: upstream {} has no node with weight > 0; it answers 502", plan.routeId(), plan.upstream().name());
            return NO_NODES;
        }
        return new RouteProxyHandler(plan, limits);
    }
}
