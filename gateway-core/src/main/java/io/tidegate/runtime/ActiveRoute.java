package io.tidegate.runtime;

import io.undertow.server.HttpHandler;

/** A route as it serves: its plan and the handler built for it. */
public record ActiveRoute(RoutePlan plan, HttpHandler handler) {}
