package io.tidegate.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.health.HealthCheckers;
import io.tidegate.health.NodeHealth;
import io.tidegate.health.UpstreamChecker;
import io.tidegate.plugin.LoadedPlugin;
import io.tidegate.plugin.PluginCatalog;
import io.tidegate.runtime.Snapshot;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.util.function.Supplier;

/**
 * The status listener: {@code /status/live} (the process answers), {@code /status/ready} (a valid
 * configuration is serving, with its version), {@code /status/plugins} (loaded plugin types
 * with their versions and jars) and {@code /status/upstreams} (the health of every checked node, as
 * the checks last found it). Plain JSON, no routing, never touches upstreams.
 */
public final class StatusHandler implements HttpHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Supplier<Snapshot> snapshot;
    private final Supplier<PluginCatalog> plugins;
    private final HealthCheckers checkers;
    private final java.util.function.BooleanSupplier ready;

    /** @param ready whether the configuration source has delivered (etcd's first listing applied) */
    public StatusHandler(Supplier<Snapshot> snapshot, Supplier<PluginCatalog> plugins, HealthCheckers checkers,
                         java.util.function.BooleanSupplier ready) {
        this.snapshot = snapshot;
        this.plugins = plugins;
        this.checkers = checkers;
        this.ready = ready;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        if (!Methods.GET.equals(exchange.getRequestMethod()) && !Methods.HEAD.equals(exchange.getRequestMethod())) {
            exchange.setStatusCode(405);
            exchange.getResponseSender().send("{\"error_msg\":\"405 Method Not Allowed\"}");
            return;
        }
        switch (exchange.getRequestPath()) {
            case "/status/live" -> exchange.getResponseSender().send("{\"status\":\"live\"}");
            case "/status/ready" -> {
                if (!ready.getAsBoolean()) {
                    exchange.setStatusCode(503);
                    exchange.getResponseSender().send("{\"status\":\"not ready\",\"reason\":\"waiting for the first configuration from etcd, or shutting down\"}");
                    return;
                }
                Snapshot current = snapshot.get();
                exchange.getResponseSender().send("{\"status\":\"ready\",\"config_version\":" + current.version()
                        + ",\"routes\":" + current.routeCount() + ",\"upstreams\":" + current.upstreamCount() + "}");
            }
            case "/status/plugins" -> exchange.getResponseSender().send(pluginsJson());
            case "/status/upstreams" -> exchange.getResponseSender().send(upstreamsJson());
            default -> {
                exchange.setStatusCode(404);
                exchange.getResponseSender().send("{\"error_msg\":\"404 Not Found\"}");
            }
        }
    }

    private String pluginsJson() {
        ArrayNode list = JSON.createArrayNode();
        for (LoadedPlugin plugin : plugins.get().all()) {
            list.addObject().put("name", plugin.name()).put("priority", plugin.plugin().priority())
                    .put("plugin_id", plugin.pluginId()).put("version", plugin.version()).put("jar", plugin.jar());
        }
        return "{\"plugins\":" + list + "}";
    }

    private String upstreamsJson() {
        return "{\"upstreams\":" + upstreams(checkers) + "}";
    }

    /** Every checked upstream with its nodes' health and counters, as {@code /status/upstreams} lists them. */
    public static ArrayNode upstreams(HealthCheckers checkers) {
        ArrayNode list = JSON.createArrayNode();
        for (UpstreamChecker checker : checkers.all()) {
            ObjectNode upstream = list.addObject().put("name", checker.upstream()).put("type", checker.type());
            ArrayNode nodes = upstream.putArray("nodes");
            for (NodeHealth node : checker.nodes()) {
                NodeHealth.Counts counts = node.counts();
                nodes.addObject().put("address", node.address()).put("status", node.healthy() ? "healthy" : "unhealthy")
                        .putObject("counter").put("success", counts.successes()).put("http_failure", counts.httpFailures())
                        .put("tcp_failure", counts.tcpFailures()).put("timeout_failure", counts.timeouts());
            }
        }
        return list;
    }
}
