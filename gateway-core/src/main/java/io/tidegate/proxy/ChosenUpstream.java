package io.tidegate.proxy;

import io.tidegate.config.RequestLimits;
import io.tidegate.http.ClientRequestView;
import io.tidegate.plugin.UpstreamIdRef;
import io.tidegate.plugin.api.UpstreamRef;
import io.tidegate.runtime.RoutePlan;
import io.tidegate.upstream.UpstreamTarget;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request to the upstream a plugin chose for it ({@code traffic-split}) instead of its
 * route's: wraps the route's proxy handler and steps in only when a choice was made, proxying
 * with the chosen upstream's balancer, retries, health and timeout (the route's when it has none)
 * and its {@code pass_host}.
 */
final class ChosenUpstream implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(ChosenUpstream.class);
    /** The serving version's upstreams by id, where a plugin's upstream_id is looked up. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static final AttachmentKey<Map<String, UpstreamTarget>> VERSION_UPSTREAMS = (AttachmentKey) AttachmentKey.create(Map.class);
    private static final AttachmentKey<UpstreamTarget> CHOSEN = AttachmentKey.create(UpstreamTarget.class);
    private static final HttpHandler NO_NODES = new FixedErrorHandler(502, "502 Bad Gateway");
    private static final HttpHandler NO_RESOLVED_NODE = new FixedErrorHandler(503, "503 Service Unavailable");

    private final RoutePlan plan;
    private final RequestLimits limits;
    private final HttpHandler routeUpstream;

    ChosenUpstream(RoutePlan plan, RequestLimits limits, HttpHandler routeUpstream) {
        this.plan = plan;
        this.limits = limits;
        this.routeUpstream = routeUpstream;
    }

    /** Records a plugin's choice (null: the route's own); false when it names an id the serving version does not have. */
    static boolean choose(HttpServerExchange exchange, UpstreamRef ref) {
        UpstreamTarget target;
        if (ref == null) {
            exchange.removeAttachment(CHOSEN);
            return true;
        } else if (ref instanceof UpstreamTarget inline) {
            target = inline;
        } else if (ref instanceof UpstreamIdRef byId) {
            Map<String, UpstreamTarget> upstreams = exchange.getAttachment(VERSION_UPSTREAMS);
            target = upstreams == null ? null : upstreams.get(byId.id());
        } else {
            throw new IllegalArgumentException("not an upstream the gateway made: " + ref);
        }
        if (target != null) {
            exchange.putAttachment(CHOSEN, target);
        }
        return target != null;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        UpstreamTarget chosen = exchange.getAttachment(CHOSEN);
        if (chosen == null) {
            routeUpstream.handleRequest(exchange);
            return;
        }
        if (chosen.upstream().unresolved()) {
            log.warn("route {}: no node of {} resolves", plan.routeId(), chosen.describe());
            NO_RESOLVED_NODE.handleRequest(exchange);
            return;
        }
        if (!chosen.upstream().hasNodes()) {
            NO_NODES.handleRequest(exchange);
            return;
        }
        if (chosen.rewriteHost() != null) {
            ClientRequestView.keep(exchange);
            exchange.getRequestHeaders().put(Headers.HOST, chosen.rewriteHost());
        } else if (plan.rewriteHost() != null && plan.rewriteHost().equals(exchange.getRequestHeaders().getFirst(Headers.HOST))) {
            // the route's pass_host: rewrite was applied for its own upstream, not this one
            String client = ClientRequestView.clientHostHeader(exchange);
            if (client != null) {
                exchange.getRequestHeaders().put(Headers.HOST, client);
            }
        }
        new RouteProxyHandler(plan, chosen.upstream(), chosen.timeout() != null ? chosen.timeout() : plan.timeout(), limits)
                .handleRequest(exchange);
    }
}
