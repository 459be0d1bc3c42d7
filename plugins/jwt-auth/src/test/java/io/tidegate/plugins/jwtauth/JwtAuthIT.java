package io.tidegate.plugins.jwtauth;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** jwt-auth end to end: the packaged (shaded) plugin jar in the real gateway. */
class JwtAuthIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                consumers:
                  - { username: jack, plugins: { jwt-auth: { key: user-key, secret: my-secret-key } } }
                  - username: rsa-user
                    plugins:
                      jwt-auth: { key: rsa-key, algorithm: RS256, public_key: %s }
                routes:
                  - { id: 1, uri: /hello, plugins: { jwt-auth: {} }, upstream: { nodes: { "%2$s": 1 } } }
                  - { id: 2, uri: /hidden, plugins: { jwt-auth: { hide_credentials: true } }, upstream: { nodes: { "%2$s": 1 } } }
                  - { id: 3, uri: /expiring, plugins: { jwt-auth: { claims_to_verify: [exp] } }, upstream: { nodes: { "%2$s": 1 } } }
                """.formatted(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                .textNode(Tokens.pem(Tokens.RSA.getPublic())).toString(), upstream.address()));
    }

    @Test
    void validTokensReachTheUpstreamAsTheirConsumer() {
        try (TestGateway gw = gateway()) {
            String hs = Tokens.claims("user-key").sign(Algorithm.HMAC256("my-secret-key"));
            JsonNode seen = json(gw.send(gw.request("/hello").header("Authorization", "Bearer " + hs).GET().build()));
            assertEquals("jack", seen.get("headers").get("x-consumer-username").asText());
            String rs = Tokens.claims("rsa-key").sign(Tokens.signer("RS256", null));
            assertEquals("rsa-user", json(gw.get("/hello?jwt=" + rs)).get("headers").get("x-consumer-username").asText());
        }
    }

    @Test
    void rejectionsCarryTheChallengeAndNeverReachTheUpstream() {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            HttpResponse<String> missing = gw.get("/hello");
            assertEquals(401, missing.statusCode());
            assertEquals("{\"message\":\"Missing JWT token in request\"}\n", missing.body());
            assertEquals("Bearer realm=\"jwt\"", missing.headers().firstValue("WWW-Authenticate").orElseThrow());
            String forged = Tokens.claims("rsa-key").sign(Algorithm.HMAC256(Tokens.pem(Tokens.RSA.getPublic())));
            HttpResponse<String> confused = gw.send(gw.request("/hello").header("Authorization", forged).GET().build());
            assertEquals(401, confused.statusCode());
            assertEquals("{\"message\":\"failed to verify jwt\"}\n", confused.body());
            assertEquals(before, upstream.requestCount());
        }
    }

    @Test
    void aTokenWithoutExpPassesUnlessTheRouteListsExp() {
        try (TestGateway gw = gateway()) {
            String forever = com.auth0.jwt.JWT.create().withClaim("key", "user-key").sign(Algorithm.HMAC256("my-secret-key"));
            assertEquals(200, gw.get("/hello?jwt=" + forever).statusCode(), "as APISIX: exp is checked only when present");
            int before = upstream.requestCount();
            HttpResponse<String> refused = gw.get("/expiring?jwt=" + forever);
            assertEquals(401, refused.statusCode());
            assertEquals("{\"message\":\"failed to verify jwt\"}\n", refused.body());
            assertEquals("Bearer realm=\"jwt\"", refused.headers().firstValue("WWW-Authenticate").orElseThrow());
            assertEquals(before, upstream.requestCount());
            String expiring = Tokens.claims("user-key").sign(Algorithm.HMAC256("my-secret-key"));
            assertEquals(200, gw.get("/expiring?jwt=" + expiring).statusCode());
        }
    }

    @Test
    void hideCredentialsKeepsTheTokenFromTheUpstream() {
        try (TestGateway gw = gateway()) {
            String hs = Tokens.claims("user-key").sign(Algorithm.HMAC256("my-secret-key"));
            JsonNode seen = json(gw.send(gw.request("/hidden").header("Authorization", "Bearer " + hs).GET().build()));
            assertFalse(seen.get("headers").has("authorization"), seen.toString());
            assertEquals("jack", seen.get("headers").get("x-consumer-username").asText());
        }
    }

    @Test
    void pluginJarCarriesJavaJwt() throws Exception {
        // the gateway does not ship java-jwt: the jar must bring it (the test class path has it anyway)
        try (var jar = new java.util.jar.JarFile(System.getProperty("plugin.jar"))) {
            assertFalse(jar.getJarEntry("com/auth0/jwt/JWT.class") == null, "java-jwt is shaded into the plugin jar");
            assertEquals(null, jar.getJarEntry("com/fasterxml/jackson/databind/ObjectMapper.class"), "Jackson comes from the gateway");
        }
    }

    @Test
    void consumerKeysMustBeUnique() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PluginGateway.start("""
                consumers:
                  - { username: a, plugins: { jwt-auth: { key: same, secret: s1 } } }
                  - { username: b, plugins: { jwt-auth: { key: same, secret: s2 } } }
                routes: []
                """));
        assertEquals("test config is invalid:\nconsumers[1].plugins.jwt-auth.key: duplicate key \"same\" (first used at consumers[0].plugins.jwt-auth)",
                e.getMessage());
    }
}
