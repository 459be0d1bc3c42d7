package io.tidegate.plugins.simulation;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** fault-injection and mocking end to end: what the client gets, when, and that the upstream is spared. */
class SimulationIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - id: abort
                    uri: /abort
                    plugins: { fault-injection: { abort: { http_status: 503, body: "down for $arg_who\\n", headers: { Retry-After: 30, X-Reason: "drill $arg_who" }, vars: [[["arg_who", "==", "ops"]], [["http_x_chaos", "==", "on"]]] } } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: delay
                    uri: /delay
                    plugins: { fault-injection: { delay: { duration: 0.5 } } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: half
                    uri: /half
                    plugins: { fault-injection: { abort: { http_status: 500, percentage: 50 } } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: mock
                    uri: /mock
                    plugins: { mocking: { response_status: 201, response_example: "{\\"who\\":\\"$arg_who\\"}", response_headers: { X-Env: staging } } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: schema
                    uri: /schema
                    plugins: { mocking: { content_type: "application/json", response_schema: { type: object, properties: { id: { type: integer, example: 42 }, name: { type: string }, tags: { type: array, items: { type: string } } } } } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: slow-mock
                    uri: /slow-mock
                    plugins: { mocking: { delay: 1, response_example: "late" } }
                    upstream: { nodes: { "%1$s": 1 } }
                """.formatted(upstream.address()));
    }

    @Test
    void abortAnswersForTheRequestsItsVarsSelect() {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            HttpResponse<String> ops = gw.get("/abort?who=ops");
            assertEquals(503, ops.statusCode());
            assertEquals("down for ops\n", ops.body());
            assertEquals("30", ops.headers().firstValue("Retry-After").orElseThrow());
            assertEquals("drill ops", ops.headers().firstValue("X-Reason").orElseThrow());
            assertEquals(503, gw.send(gw.request("/abort").header("X-Chaos", "on").GET().build()).statusCode(), "the second list matches");
            assertEquals(before, upstream.requestCount());
            assertEquals(200, gw.get("/abort?who=dev").statusCode(), "no list matches: the upstream answers");
        }
    }

    @Test
    void aPercentageAbortsRoughlyThatShare() {
        try (TestGateway gw = gateway()) {
            int aborted = 0;
            for (int i = 0; i < 400; i++) {
                aborted += gw.get("/half").statusCode() == 500 ? 1 : 0;
            }
            assertTrue(aborted > 140 && aborted < 260, "about half of 400 (p < 1e-9 outside): " + aborted);
        }
    }

    @Test
    void delaysHoldNoThread() throws Exception {
        try (TestGateway gw = gateway()) {
            // the test gateway has 2 IO threads: 8 delayed requests at once still end together
            long started = System.nanoTime();
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                inFlight.add(CompletableFuture.supplyAsync(() -> gw.get("/delay")));
            }
            for (CompletableFuture<HttpResponse<String>> response : inFlight) {
                assertEquals(200, response.get().statusCode());
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(millis >= 500 && millis < 1500, "all delayed 0.5 s, in parallel: " + millis + " ms");
        }
    }

    @Test
    void mockingAnswersWithoutTheUpstream() throws Exception {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            HttpResponse<String> mock = gw.get("/mock?who=me");
            assertEquals(201, mock.statusCode());
            assertEquals("{\"who\":\"me\"}", mock.body());
            assertEquals("application/json;charset=utf8", mock.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("Tidegate", mock.headers().firstValue("x-mock-by").orElseThrow());
            assertEquals("staging", mock.headers().firstValue("X-Env").orElseThrow());

            JsonNode generated = json(gw.get("/schema"));
            assertEquals(42, generated.get("id").asInt(), "an example is used as given");
            assertTrue(generated.get("name").asText().matches("[a-z]{1,10}"), generated.toString());
            assertTrue(generated.get("tags").isArray() && generated.get("tags").size() >= 1 && generated.get("tags").size() <= 3);

            long started = System.nanoTime();
            assertEquals("late", gw.get("/slow-mock").body());
            assertTrue((System.nanoTime() - started) / 1_000_000 >= 1000, "delay: 1 second");
            assertEquals(before, upstream.requestCount(), "the upstream was never called");
        }
    }
}
