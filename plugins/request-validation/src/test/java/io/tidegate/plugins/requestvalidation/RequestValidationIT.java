package io.tidegate.plugins.requestvalidation;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** request-validation end to end: what fails its schemas never reaches the upstream; what passes arrives unchanged. */
class RequestValidationIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - id: body
                    uri: /orders
                    plugins:
                      request-validation:
                        header_schema: { type: object, required: [x-tenant] }
                        body_schema: { type: object, required: [sku, qty], properties: { sku: { type: string, pattern: "^[A-Z]{3}-[0-9]+$" }, qty: { type: integer, minimum: 1 } } }
                        max_req_body_size: 256
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: form
                    uri: /form
                    plugins: { request-validation: { body_schema: { type: object, required: [name], properties: { name: { type: string, minLength: 2 } } }, rejected_code: 422, rejected_msg: "bad form" } }
                    upstream: { nodes: { "%1$s": 1 } }
                """.formatted(upstream.address()));
    }

    private static HttpResponse<String> post(TestGateway gw, String path, String contentType, String body, boolean tenant) {
        HttpRequest.Builder request = gw.request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        if (tenant) {
            request.header("X-Tenant", "t1");
        }
        return gw.send(request.build());
    }

    @Test
    void invalidRequestsAreRefusedWithWhatIsWrong() {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            HttpResponse<String> noTenant = post(gw, "/orders", "application/json", "{\"sku\":\"ABC-1\",\"qty\":1}", false);
            assertEquals(400, noTenant.statusCode());
            assertTrue(noTenant.body().contains("x-tenant"), noTenant.body());
            HttpResponse<String> badQty = post(gw, "/orders", "application/json", "{\"sku\":\"ABC-1\",\"qty\":0}", true);
            assertEquals(400, badQty.statusCode());
            assertTrue(badQty.body().startsWith("qty"), badQty.body());
            assertEquals(400, post(gw, "/orders", "application/json", "{not json", true).statusCode());
            HttpResponse<String> twice = post(gw, "/orders", "application/json", "{\"sku\":\"DROP TABLE\",\"sku\":\"ABC-1\",\"qty\":1}", true);
            assertEquals(400, twice.statusCode(), "a key given twice: the upstream might read the value that was not checked");
            assertEquals(400, post(gw, "/orders", "application/json", "{\"sku\":\"ABC-1\",\"qty\":1}{\"qty\":0}", true).statusCode(),
                    "a second document after the checked one");
            assertEquals(422, post(gw, "/form", "application/x-www-form-urlencoded", "name=al%zz", false).statusCode(),
                    "a bad %-escape is refused, not a 500");
            assertEquals(400, post(gw, "/orders", "application/json", "{\"sku\":\"" + "A".repeat(300) + "\",\"qty\":1}", true).statusCode(),
                    "over max_req_body_size");
            HttpResponse<String> form = post(gw, "/form", "application/x-www-form-urlencoded", "name=a", false);
            assertEquals(422, form.statusCode());
            assertEquals("bad form", form.body());
            assertEquals(before, upstream.requestCount(), "nothing invalid reached the upstream");
        }
    }

    @Test
    void validRequestsArriveUnchanged() {
        try (TestGateway gw = gateway()) {
            String body = "{\"sku\":\"ABC-12\",\"qty\":3}";
            HttpResponse<String> passed = post(gw, "/orders", "application/json", body, true);
            assertEquals(200, passed.statusCode(), passed.body());
            assertEquals(body.length(), json(passed).get("body_bytes").asInt());
            assertEquals(200, post(gw, "/form", "application/x-www-form-urlencoded", "name=al&x=1", false).statusCode());
        }
    }

    @Test
    void aSchemaThatIsNoSchemaIsAConfigurationError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PluginGateway.start("""
                routes:
                  - { id: 1, uri: /x, plugins: { request-validation: { body_schema: { type: "no-such-type" } } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address())));
        assertTrue(e.getMessage().contains("routes[0].plugins.request-validation.body_schema: is not a valid JSON Schema"), e.getMessage());
    }
}
