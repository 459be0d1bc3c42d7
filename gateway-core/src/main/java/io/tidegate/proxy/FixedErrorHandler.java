package io.tidegate.proxy;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/** Answers every request with one gateway error: the route cannot serve as configured. */
record FixedErrorHandler(int status, String message) implements HttpHandler {
    @Override
    public void handleRequest(HttpServerExchange exchange) {
        ErrorResponses.send(exchange, status, message);
    }
}
