package io.tidegate.plugins.keyauth;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** key-auth end to end: the packaged plugin jar in the real gateway (after APISIX's t/plugin/key-auth.t). */
class KeyAuthIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                consumers:
                  - { username: jack, plugins: { key-auth: { key: auth-one } } }
                  - { username: rose, plugins: { key-auth: { key: auth-two } } }
                routes:
                  - { id: 1, uri: /hello, plugins: { key-auth: {} }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 2, uri: /custom, plugins: { key-auth: { header: X-Key, query: k } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 3, uri: /hidden, plugins: { key-auth: { hide_credentials: true } }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()));
    }

    private static void assertUnauthorized(HttpResponse<String> response, String message) {
        assertEquals(401, response.statusCode());
        assertEquals("{\"message\":\"" + message + "\"}\n", response.body());
        assertEquals("apikey realm=\"key\"", response.headers().firstValue("WWW-Authenticate").orElseThrow(), "APISIX's challenge");
    }

    @Test
    void missingAndInvalidKeysAre401() {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            assertUnauthorized(gw.get("/hello"), "Missing API key in request");
            assertUnauthorized(gw.send(gw.request("/hello").header("apikey", "nope").GET().build()), "Invalid API key in request");
            assertUnauthorized(gw.get("/hello?apikey=nope"), "Invalid API key in request");
            assertEquals(before, upstream.requestCount(), "no unauthenticated request reached the upstream");
        }
    }

    @Test
    void validKeyInHeaderOrQueryIdentifiesTheConsumer() {
        try (TestGateway gw = gateway()) {
            JsonNode byHeader = json(gw.send(gw.request("/hello").header("apikey", "auth-one").GET().build())).get("headers");
            assertEquals("jack", byHeader.get("x-consumer-username").asText());
            assertEquals("auth-one", byHeader.get("apikey").asText(), "credentials pass on unless hidden");
            JsonNode byQuery = json(gw.get("/hello?apikey=auth-two"));
            assertEquals("rose", byQuery.get("headers").get("x-consumer-username").asText());
        }
    }

    @Test
    void headerWinsOverQuery() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> response = gw.send(gw.request("/hello?apikey=auth-two").header("apikey", "auth-one").GET().build());
            assertEquals("jack", json(response).get("headers").get("x-consumer-username").asText());
        }
    }

    @Test
    void customHeaderAndQueryNames() {
        try (TestGateway gw = gateway()) {
            assertUnauthorized(gw.send(gw.request("/custom").header("apikey", "auth-one").GET().build()), "Missing API key in request");
            assertEquals("jack", json(gw.send(gw.request("/custom").header("X-Key", "auth-one").GET().build()))
                    .get("headers").get("x-consumer-username").asText());
            assertEquals("rose", json(gw.get("/custom?k=auth-two")).get("headers").get("x-consumer-username").asText());
        }
    }

    @Test
    void hideCredentialsRemovesTheKeyUpstream() {
        try (TestGateway gw = gateway()) {
            JsonNode header = json(gw.send(gw.request("/hidden").header("apikey", "auth-one").GET().build()));
            assertFalse(header.get("headers").has("apikey"), header.toString());
            JsonNode query = json(gw.get("/hidden?a=1&apikey=auth-two&b=%20x"));
            assertEquals("a=1&b=%20x", query.get("query").asText(), "only the key argument goes; the rest stays as sent");
        }
    }

    @Test
    void duplicateKeysAndMissingKeysAreConfigurationErrors() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PluginGateway.start("""
                consumers:
                  - { username: a, plugins: { key-auth: { key: same } } }
                  - { username: b, plugins: { key-auth: { key: same } } }
                  - { username: c, plugins: { key-auth: {} } }
                routes:
                  - { id: 1, uri: /x, plugins: { key-auth: { header: "" } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address())));
        assertEquals("""
                test config is invalid:
                consumers[1].plugins.key-auth.key: duplicate key "same" (first used at consumers[0].plugins.key-auth)
                consumers[2].plugins.key-auth.key: is required (a non-empty string)
                routes[0].plugins.key-auth.header: must be a non-empty string""", e.getMessage());
    }

    @Test
    void aKeyCopiedByAYamlAliasIsADuplicateToo() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PluginGateway.start("""
                consumers:
                  - username: bob
                    plugins: { key-auth: { key: &bobkey secret-bob-1 } }
                  - username: carol
                    plugins: { key-auth: { key: *bobkey } }
                routes:
                  - { id: 1, uri: /x, plugins: { key-auth: {} }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address())));
        assertEquals("""
                test config is invalid:
                consumers[1].plugins.key-auth.key: duplicate key "secret-bob-1" (first used at consumers[0].plugins.key-auth)""",
                e.getMessage());
    }
}
