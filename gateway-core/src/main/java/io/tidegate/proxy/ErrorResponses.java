package io.tidegate.proxy;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Responses the gateway makes itself: JSON {@code {"error_msg": "..."}} and a newline, as APISIX's
 * {@code core.response.exit} writes them; to a gRPC call, the matching gRPC status.
 */
public final class ErrorResponses {
    private ErrorResponses() {}

    public static void send(HttpServerExchange exchange, int status, String message) {
        if (exchange.isResponseStarted()) {
            // Too late for a clean answer: the only honest signal left is to cut the connection.
            exchange.getConnection().terminateRequestChannel(exchange);
            org.xnio.IoUtils.safeClose(exchange.getConnection());
            return;
        }
        var headers = exchange.getResponseHeaders();
        String upstreamStatus = headers.getFirst(UpstreamStatuses.HEADER);  // what the tries met stays visible
        headers.clear();
        if (upstreamStatus != null) {
            headers.put(UpstreamStatuses.HEADER, upstreamStatus);
        }
        if (GrpcStatusAnswer.wanted(exchange)) {
            GrpcStatusAnswer.send(exchange, GrpcStatusAnswer.code(status), message);
            return;
        }
        exchange.setStatusCode(status);
        headers.put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(body(message));
    }

    public static String body(String message) {
        return "{\"error_msg\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}\n";
    }
}
