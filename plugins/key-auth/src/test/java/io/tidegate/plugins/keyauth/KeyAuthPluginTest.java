package io.tidegate.plugins.keyauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** key-auth with the test kit: its schemas as the gateway applies them, and APISIX's realm and anonymous consumer. */
class KeyAuthPluginTest {
    private static final KeyAuthPlugin PLUGIN = new KeyAuthPlugin();

    private static Map<String, String> jackAndGuest() {
        Map<String, String> consumers = new LinkedHashMap<>();
        consumers.put("jack", "{\"key\": \"auth-one\"}");
        consumers.put("guest", "{\"key\": \"guest-key\"}");
        return consumers;
    }

    private static void assertRefused(PhaseResult result, String message, String realm) {
        assertEquals(401, result.status());
        assertEquals("{\"message\":\"" + message + "\"}\n", new String(result.body(), StandardCharsets.UTF_8));
        assertEquals(List.of("apikey realm=\"" + realm + "\""), result.headers().get("WWW-Authenticate"));
    }

    @Test
    void refusalsCarryTheRealmChallenge() throws Exception {
        PluginInstance keys = PluginRunner.create(PLUGIN, "{}", jackAndGuest());
        assertRefused(keys.rewrite(TestContext.get("/")), "Missing API key in request", "key");
        assertRefused(keys.rewrite(TestContext.get("/?apikey=nope").consumers("jack")), "Invalid API key in request", "key");
        PluginInstance realm = PluginRunner.create(PLUGIN, "{\"realm\": \"orders api\"}", jackAndGuest());
        assertRefused(realm.rewrite(TestContext.get("/")), "Missing API key in request", "orders api");
    }

    @Test
    void defaultsAreApisixs() throws Exception {
        PluginInstance keys = PluginRunner.create(PLUGIN, "{}", jackAndGuest());
        TestContext context = TestContext.get("/").header("apikey", "auth-one").consumers("jack", "guest");
        assertTrue(keys.rewrite(context).proceeds());
        assertEquals("jack", context.consumer().orElseThrow());
        assertEquals("auth-one", context.upstreamRequest().header("apikey"), "hide_credentials is false by default");
    }

    @Test
    void anonymousConsumerTakesFailedRequestsWithoutTheirKey() throws Exception {
        PluginInstance keys = PluginRunner.create(PLUGIN,
                "{\"anonymous_consumer\": \"guest\", \"hide_credentials\": true}", jackAndGuest());
        TestContext none = TestContext.get("/?a=1").consumers("jack", "guest");
        assertTrue(keys.rewrite(none).proceeds());
        assertEquals("guest", none.consumer().orElseThrow());
        assertEquals("a=1", none.upstreamRequest().query());
        TestContext wrong = TestContext.get("/?a=1&apikey=nope").header("apikey", "nope too").consumers("jack", "guest");
        assertTrue(keys.rewrite(wrong).proceeds());
        assertEquals("guest", wrong.consumer().orElseThrow());
        assertNull(wrong.upstreamRequest().header("apikey"), "a hidden credential is hidden on the anonymous path too");
        assertEquals("a=1", wrong.upstreamRequest().query());
        TestContext right = TestContext.get("/").header("apikey", "auth-one").consumers("jack", "guest");
        assertTrue(keys.rewrite(right).proceeds());
        assertEquals("jack", right.consumer().orElseThrow());
    }

    @Test
    void anAnonymousConsumerMustExist() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(PLUGIN, "{\"anonymous_consumer\": \"ghost\"}", jackAndGuest()));
        assertEquals("anonymous_consumer", e.field());
        assertEquals("consumer \"ghost\" does not exist", e.getMessage());
    }

    @Test
    void routeConfigurationsTheSchemaRefuses() {
        record Case(String config, List<String> violations) {}
        for (Case c : List.of(
                new Case("{\"header\": \"\"}", List.of("header: must be a non-empty string")),
                new Case("{\"query\": 1}", List.of("query: must be a non-empty string")),
                new Case("{\"hide_credentials\": \"yes\"}", List.of("hide_credentials: must be a boolean")),
                new Case("{\"anonymous_consumer\": \"\"}", List.of("anonymous_consumer: must be a non-empty string")),
                new Case("{\"colour\": \"blue\"}", List.of("colour: unknown field")))) {
            assertEquals(c.violations(), PluginRunner.violations(PLUGIN, c.config()), c.config());
        }
        // quotes and backslashes could break out of the challenge header
        List<String> realm = PluginRunner.violations(PLUGIN, "{\"realm\": \"say \\\"hi\\\"\"}");
        assertEquals(1, realm.size(), realm.toString());
        assertTrue(realm.get(0).startsWith("realm: must be a non-empty string"), realm.toString());
    }

    @Test
    void credentialsTheSchemaRefuses() {
        record Case(String credential, String field, String message) {}
        for (Case c : List.of(
                new Case("{}", "key", "is required (a non-empty string)"),
                new Case("{\"key\": \"\"}", "key", "must be a non-empty string"),
                new Case("{\"key\": 7}", "key", "must be a non-empty string"),
                new Case("{\"key\": \"k\", \"secret\": \"s\"}", "secret", "unknown field"),
                // APISIX would resolve it; taken literally it would be a key anyone reading the config could send
                new Case("{\"key\": \"$env://KEYAUTH_KEY\"}", "key", "must not be a secret reference ($env://, $secret://):"
                        + " Tidegate does not resolve them, and never takes one as the value itself"))) {
            PluginConfigException e = assertThrows(PluginConfigException.class,
                    () -> PluginRunner.create(PLUGIN, "{}", Map.of("jack", c.credential())), c.credential());
            assertEquals(c.field() + ": " + c.message(), e.field() + ": " + e.getMessage(), c.credential());
        }
    }

    @Test
    void aCredentialNeverPrintsItsKey() {
        assertEquals("Credential[key=***]", new KeyAuthPlugin.Credential("auth-one").toString());
    }
}
