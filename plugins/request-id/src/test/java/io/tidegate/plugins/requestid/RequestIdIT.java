package io.tidegate.plugins.requestid;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** request-id end to end: the same id reaches the upstream and comes back to the client. */
class RequestIdIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - { id: 1, uri: /id, plugins: { request-id: {} }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 2, uri: /quiet, plugins: { request-id: { header_name: X-Trace-Id, include_in_response: false } }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()));
    }

    @Test
    void generatesOneIdForUpstreamAndClient() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> first = gw.get("/id");
            String id = first.headers().firstValue("X-Request-Id").orElseThrow();
            UUID.fromString(id);
            assertEquals(id, json(first).get("headers").get("x-request-id").asText());
            assertNotEquals(id, gw.get("/id").headers().firstValue("X-Request-Id").orElseThrow(), "a new id per request");
        }
    }

    @Test
    void keepsTheClientsIdAndHonoursSettings() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> kept = gw.send(gw.request("/id").header("X-Request-Id", "abc-123").GET().build());
            assertEquals("abc-123", kept.headers().firstValue("X-Request-Id").orElseThrow());
            assertEquals("abc-123", json(kept).get("headers").get("x-request-id").asText());
            HttpResponse<String> quiet = gw.get("/quiet");
            assertFalse(quiet.headers().firstValue("X-Trace-Id").isPresent());
            UUID.fromString(json(quiet).get("headers").get("x-trace-id").asText());
        }
    }
}
