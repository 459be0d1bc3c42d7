package io.tidegate.runtime;

import io.undertow.server.HttpHandler;

/** Turns a route's plan into the handler that serves it; the proxy layer provides it. */
@FunctionalInterface
public interface RouteHandlerFactory {
    HttpHandler create(RoutePlan plan);
}
