package io.tidegate.observe;

import io.tidegate.runtime.Snapshot;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.util.function.Supplier;

/**
 * The status listener: {@code /status/live} (the process answers) and {@code /status/ready} (a valid
 * configuration is serving, with its version). Plain JSON, no routing, never touches upstreams.
 */
public final class StatusHandler implements HttpHandler {
    private final Supplier<Snapshot> snapshot;

    public StatusHandler(Supplier<Snapshot> snapshot) {
        this.snapshot = snapshot;
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
                Snapshot current = snapshot.get();
                exchange.getResponseSender().send("{\"status\":\"ready\",\"config_version\":" + current.version()
                        + ",\"routes\":" + current.routeCount() + ",\"upstreams\":" + current.upstreamCount() + "}");
            }
            default -> {
                exchange.setStatusCode(404);
                exchange.getResponseSender().send("{\"error_msg\":\"404 Not Found\"}");
            }
        }
    }
}
