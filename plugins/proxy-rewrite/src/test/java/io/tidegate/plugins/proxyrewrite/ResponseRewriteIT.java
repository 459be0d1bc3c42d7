package io.tidegate.plugins.proxyrewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** response-rewrite end to end, on the test upstream's JSON answers. */
class ResponseRewriteIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - id: headers
                    uri: /headers
                    plugins: { response-rewrite: { headers: { add: ["Cache-Control: no-cache", "Cache-Control: max-age=0"], set: { X-Client: "$remote_addr", Content-Type: "" }, remove: [X-Absent] } } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: body
                    uri: /body
                    plugins: { response-rewrite: { status_code: 203, body: "replaced\\n" } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: filters
                    uri: /filters
                    plugins: { response-rewrite: { filters: [ { regex: "\\"server\\":\\"(\\\\w+)\\"", replace: "\\"server\\":\\"<$1>\\"" }, { regex: "\\\\d", replace: "#", scope: global } ] } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: when
                    uri: /when
                    plugins: { response-rewrite: { vars: [["status", "==", 404]], status_code: 200, body: "not there\\n" } }
                    upstream: { nodes: { "%1$s": 1 } }
                """.formatted(upstream.address()));
    }

    @Test
    void headersAreAddedSetAndRemovedInApisixsOrder() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> response = gw.get("/headers");
            assertEquals(200, response.statusCode());
            assertEquals(java.util.List.of("no-cache", "max-age=0"), response.headers().allValues("Cache-Control"));
            assertEquals("127.0.0.1", response.headers().firstValue("X-Client").orElseThrow());
            assertFalse(response.headers().firstValue("Content-Type").isPresent(), "set to an empty value: removed");
        }
    }

    @Test
    void bodyAndStatusAreReplaced() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> response = gw.get("/body");
            assertEquals(203, response.statusCode());
            assertEquals("replaced\n", response.body());
        }
    }

    @Test
    void filtersRewriteTheBodyInOrder() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> response = gw.get("/filters?a=123");
            assertTrue(response.body().contains("\"server\":\"<up>\""), response.body());
            assertFalse(response.body().matches(".*\\d.*"), "every digit replaced: " + response.body());
        }
    }

    @Test
    void varsChooseWhichResponsesAreRewritten() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> ok = gw.get("/when");
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().startsWith("{"), "a 200 from the upstream passes untouched: " + ok.body());
        }
    }
}
