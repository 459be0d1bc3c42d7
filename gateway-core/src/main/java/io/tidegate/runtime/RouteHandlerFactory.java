package io.tidegate.runtime;

import io.undertow.server.HttpHandler;

/** Turns a route's plan into the handler that serves it; the proxy layer provides it. */
public interface RouteHandlerFactory {
    HttpHandler create(RoutePlan plan);

    /**
     * The handler for requests no route matches: as in APISIX, the global rules run for them too
     * ({@code plan} holds only theirs), then the answer is 404.
     */
    HttpHandler unmatched(RoutePlan plan);
}
