package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.config.ConfigLoader;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** limit-count end to end with the packaged jar (bucket4j shaded in). */
class LimitCountIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static String resources(String extraRoute) {
        return """
                routes:
                  - { id: 1, uri: /limited, plugins: { limit-count: { count: 2, time_window: 60, rejected_code: 429, rejected_msg: "Too many requests" } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 2, uri: /a, plugins: { limit-count: { count: 3, time_window: 60, group: shared } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 3, uri: /b, plugins: { limit-count: { count: 3, time_window: 60, group: shared } }, upstream: { nodes: { "%1$s": 1 } } }
                %2$s
                """.formatted(upstream.address(), extraRoute);
    }

    private static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void quotaHeadersOnEveryResponseAndTheRejection() {
        try (TestGateway gw = PluginGateway.start(resources(""))) {
            HttpResponse<String> first = gw.get("/limited");
            assertEquals(200, first.statusCode());
            assertEquals("2", header(first, "X-RateLimit-Limit"));
            assertEquals("1", header(first, "X-RateLimit-Remaining"));
            assertEquals("0", header(gw.get("/limited"), "X-RateLimit-Remaining"));
            int before = upstream.requestCount();
            HttpResponse<String> rejected = gw.get("/limited");
            assertEquals(429, rejected.statusCode());
            assertEquals("{\"error_msg\":\"Too many requests\"}\n", rejected.body());
            assertEquals("0", header(rejected, "X-RateLimit-Remaining"));
            assertEquals(before, upstream.requestCount(), "a rejected request never reaches the upstream");
        }
    }

    @Test
    void groupSharesOneCounterAcrossRoutes() {
        try (TestGateway gw = PluginGateway.start(resources(""))) {
            assertEquals(200, gw.get("/a").statusCode());
            assertEquals(200, gw.get("/b").statusCode());
            assertEquals(200, gw.get("/a").statusCode());
            assertEquals(503, gw.get("/b").statusCode(), "the fourth request of the group, whichever route");
        }
    }

    @Test
    void countersSurviveAnUnrelatedConfigurationChange() throws Exception {
        try (TestGateway gw = PluginGateway.start(resources(""))) {
            gw.get("/limited");
            gw.get("/limited");
            String withExtraRoute = resources("  - { id: 9, uri: /new, upstream: { nodes: { \"" + upstream.address() + "\": 1 } } }");
            gw.gateway().apply(new ConfigLoader().load(TestGateway.write(withExtraRoute)).resources());
            assertEquals(200, gw.get("/new").statusCode(), "the new version serves");
            assertEquals(429, gw.get("/limited").statusCode(), "and the count carried over");
        }
    }
}
