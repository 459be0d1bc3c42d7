package io.tidegate.proxy;

import io.tidegate.runtime.ActiveRoute;
import io.tidegate.runtime.SnapshotHolder;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * The entry of every request: reads the serving snapshot once, matches a route in it and hands the
 * exchange to that route's handler. Unmatched: 404 {@code {"error_msg":"404 Route Not Found"}}.
 */
public final class GatewayHandler implements HttpHandler {
    private final SnapshotHolder snapshots;

    public GatewayHandler(SnapshotHolder snapshots) {
        this.snapshots = snapshots;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        ActiveRoute route = snapshots.current().router().match(new ExchangeRequest(exchange));
        if (route == null) {
            ErrorResponses.send(exchange, 404, "404 Route Not Found");
            return;
        }
        route.handler().handleRequest(exchange);
    }
}
