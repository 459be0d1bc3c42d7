package io.tidegate.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The authorization service and echo route that APISIX's t/plugin/forward-auth.t builds on its own
 * port 1984 with serverless-pre-function routes (TEST 2), served by the test upstream under
 * {@code /forward-auth/}: {@code auth} decides by the Authorization header (or a POSTed JSON
 * body), {@code crashed} is nginx's 444 (the connection closed without an answer), {@code echo}
 * answers the request headers as JSON, as {@code core.request.headers(ctx)} encodes them.
 */
final class ForwardAuthFixture {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ForwardAuthFixture() {}

    static void answer(HttpExchange exchange, String name, byte[] body) throws IOException {
        switch (name) {
            case "auth" -> auth(exchange, body);
            case "crashed" -> exchange.close();
            case "echo" -> send(exchange, 200, headersJson(exchange), null);
            default -> send(exchange, 404, "", null);
        }
    }

    private static void auth(HttpExchange exchange, byte[] body) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String tenant = exchange.getRequestHeaders().getFirst("tenant_id");
        if ("111".equals(authorization)) {
            send(exchange, 200, "", null);
        } else if ("222".equals(authorization)) {
            send(exchange, 200, "", List.of("X-User-ID", "i-am-an-user"));
        } else if ("333".equals(authorization)) {
            send(exchange, 403, "", List.of("Location", "http://example.com/auth"));
        } else if ("444".equals(authorization)) {
            send(exchange, 403, headersJson(exchange), null);
        } else if ("777".equals(authorization) || "888".equals(authorization)) {
            if (("777".equals(authorization) ? "123" : "abcd").equals(tenant)) {
                send(exchange, 200, "", List.of("X-User-ID", "i-am-an-user"));
            } else {
                send(exchange, 400, "tenant_id is " + tenant, null);
            }
        } else if (exchange.getRequestMethod().equals("POST") && body.length > 0) {
            JsonNode data;
            try {
                data = JSON.readTree(body);
            } catch (IOException notJson) {
                send(exchange, 400, "", null);
                return;
            }
            String posted = data.path("authorization").asText("");
            if (posted.equals("555")) {
                send(exchange, 200, "", List.of("X-User-ID", "i-am-an-user"));
            } else if (posted.equals("666")) {
                send(exchange, 403, "", List.of("Location", "http://example.com/auth"));
            } else {
                send(exchange, 502, "", null);
            }
        } else {
            // no function answered: APISIX's /auth route has no upstream, so it picks no server (502)
            send(exchange, 502, "", null);
        }
    }

    /** The request headers as one JSON object, names in lower case, a repeated header as an array. */
    private static String headersJson(HttpExchange exchange) {
        ObjectNode headers = JSON.createObjectNode();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (values.size() == 1) {
                headers.put(key, values.get(0));
            } else {
                values.forEach(headers.withArray(key)::add);
            }
        });
        return headers.toString();
    }

    private static void send(HttpExchange exchange, int status, String body, List<String> header) throws IOException {
        if (header != null) {
            exchange.getResponseHeaders().set(header.get(0), header.get(1));
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
