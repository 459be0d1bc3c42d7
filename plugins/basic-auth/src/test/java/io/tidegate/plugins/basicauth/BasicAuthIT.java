package io.tidegate.plugins.basicauth;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** basic-auth end to end: the packaged plugin jar in the real gateway (after APISIX's t/plugin/basic-auth.t). */
class BasicAuthIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                consumers:
                  - { username: foo, plugins: { basic-auth: { username: foo, password: bar } } }
                  - { username: guest, plugins: { basic-auth: { username: guest, password: guest } } }
                routes:
                  - { id: 1, uri: /hello, plugins: { basic-auth: {} }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 2, uri: /hidden, plugins: { basic-auth: { hide_credentials: true } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 3, uri: /open, plugins: { basic-auth: { anonymous_consumer: guest } }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()));
    }

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(TestGateway gw, String path, String authorization) {
        return gw.send(gw.request(path).header("Authorization", authorization).GET().build());
    }

    private static void assertUnauthorized(HttpResponse<String> response, String message) {
        assertEquals(401, response.statusCode());
        assertEquals("{\"message\":\"" + message + "\"}\n", response.body());
        assertEquals("Basic realm=\"basic\"", response.headers().firstValue("WWW-Authenticate").orElseThrow(), "APISIX's challenge");
    }

    @Test
    void badCredentialsNeverReachTheUpstream() {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            assertUnauthorized(gw.get("/hello"), "Missing authorization in request");
            assertUnauthorized(get(gw, "/hello", "Basic not-base64!"), "Invalid authorization in request");
            assertUnauthorized(get(gw, "/hello", basic("foo:wrong")), "Invalid user authorization");
            assertUnauthorized(get(gw, "/hello", basic("nobody:bar")), "Invalid user authorization");
            assertEquals(before, upstream.requestCount(), "no unauthenticated request reached the upstream");
        }
    }

    @Test
    void validCredentialsIdentifyTheConsumer() {
        try (TestGateway gw = gateway()) {
            JsonNode headers = json(get(gw, "/hello", basic("foo:bar"))).get("headers");
            assertEquals("foo", headers.get("x-consumer-username").asText());
            assertEquals(basic("foo:bar"), headers.get("authorization").asText(), "credentials pass on unless hidden");
            JsonNode hidden = json(get(gw, "/hidden", basic("foo:bar"))).get("headers");
            assertFalse(hidden.has("authorization"), hidden.toString());
        }
    }

    @Test
    void anonymousConsumerServesWhatFailsAuthentication() {
        try (TestGateway gw = gateway()) {
            assertEquals("guest", json(gw.get("/open")).get("headers").get("x-consumer-username").asText());
            assertEquals("foo", json(get(gw, "/open", basic("foo:bar"))).get("headers").get("x-consumer-username").asText());
        }
    }

    @Test
    void duplicateUserNamesAreConfigurationErrors() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PluginGateway.start("""
                consumers:
                  - { username: a, plugins: { basic-auth: { username: same, password: x } } }
                  - { username: b, plugins: { basic-auth: { username: same, password: y } } }
                routes:
                  - { id: 1, uri: /x, plugins: { basic-auth: {} }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address())));
        assertEquals("""
                test config is invalid:
                consumers[1].plugins.basic-auth.username: duplicate username "same" (first used at consumers[0].plugins.basic-auth)""",
                e.getMessage());
    }
}
