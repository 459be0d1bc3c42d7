package io.tidegate.plugins.basicauth;

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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** basic-auth with the test kit: header parsing, APISIX's messages and realm, the anonymous consumer. */
class BasicAuthPluginTest {
    private static final BasicAuthPlugin PLUGIN = new BasicAuthPlugin();

    private static Map<String, String> fooAndGuest() {
        Map<String, String> consumers = new LinkedHashMap<>();
        consumers.put("foo", "{\"username\": \"foo\", \"password\": \"bar:baz\"}");
        consumers.put("guest", "{\"username\": \"guest\", \"password\": \"guest\"}");
        return consumers;
    }

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    private static TestContext withAuthorization(String value) {
        return TestContext.get("/hello").header("Authorization", value).consumers("foo", "guest");
    }

    private static void assertRefused(PhaseResult result, String message, String realm) {
        assertEquals(401, result.status());
        assertEquals("{\"message\":\"" + message + "\"}\n", new String(result.body(), StandardCharsets.UTF_8));
        assertEquals(List.of("Basic realm=\"" + realm + "\""), result.headers().get("WWW-Authenticate"));
    }

    @Test
    void eachFailureHasApisixsMessage() throws Exception {
        PluginInstance auth = PluginRunner.create(PLUGIN, "{}", fooAndGuest());
        assertRefused(auth.rewrite(TestContext.get("/hello")), "Missing authorization in request", "basic");
        assertRefused(auth.rewrite(withAuthorization("Bearer abc")), "Invalid authorization in request", "basic");
        assertRefused(auth.rewrite(withAuthorization("Basic !!notbase64")), "Invalid authorization in request", "basic");
        assertRefused(auth.rewrite(withAuthorization(basic("no-colon"))), "Invalid authorization in request", "basic");
        assertRefused(auth.rewrite(withAuthorization(basic("nobody:bar:baz"))), "Invalid user authorization", "basic");
        assertRefused(auth.rewrite(withAuthorization(basic("foo:bar"))), "Invalid user authorization", "basic");
    }

    @Test
    void thePasswordIsEverythingAfterTheFirstColon() throws Exception {
        PluginInstance auth = PluginRunner.create(PLUGIN, "{}", fooAndGuest());
        TestContext context = withAuthorization(basic("foo:bar:baz"));
        assertTrue(auth.rewrite(context).proceeds());
        assertEquals("foo", context.consumer().orElseThrow());
        assertEquals(basic("foo:bar:baz"), context.upstreamRequest().header("Authorization"), "hide_credentials is false by default");
        TestContext lowerCase = withAuthorization("basic   " + basic("foo:bar:baz").substring(6));
        assertTrue(auth.rewrite(lowerCase).proceeds(), "the scheme is case-insensitive, blanks before the token are allowed");
        assertTrue(auth.rewrite(withAuthorization(basic("foo:bar:baz\n"))).proceeds(), "the newline of `echo foo:bar:baz | base64` is dropped");
    }

    @Test
    void realmAndHiddenCredentials() throws Exception {
        PluginInstance auth = PluginRunner.create(PLUGIN, "{\"realm\": \"orders api\", \"hide_credentials\": true}", fooAndGuest());
        assertRefused(auth.rewrite(TestContext.get("/")), "Missing authorization in request", "orders api");
        TestContext context = withAuthorization(basic("guest:guest"));
        assertTrue(auth.rewrite(context).proceeds());
        assertNull(context.upstreamRequest().header("Authorization"));
    }

    @Test
    void anonymousConsumerTakesFailedRequestsWithoutTheirCredentials() throws Exception {
        PluginInstance auth = PluginRunner.create(PLUGIN, "{\"anonymous_consumer\": \"guest\", \"hide_credentials\": true}", fooAndGuest());
        TestContext wrong = withAuthorization(basic("foo:wrong"));
        assertTrue(auth.rewrite(wrong).proceeds());
        assertEquals("guest", wrong.consumer().orElseThrow());
        assertNull(wrong.upstreamRequest().header("Authorization"), "a failed credential is not passed on either");
    }

    @Test
    void schemasAreApisixs() {
        PluginConfigException missingPassword = assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(PLUGIN, "{}", Map.of("foo", "{\"username\": \"foo\"}")));
        assertEquals("password", missingPassword.field());
        PluginConfigException notBoolean = assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(PLUGIN, "{\"hide_credentials\": \"yes\"}", fooAndGuest()));
        assertEquals("hide_credentials", notBoolean.field());
        PluginConfigException noSuchConsumer = assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(PLUGIN, "{\"anonymous_consumer\": \"nobody\"}", fooAndGuest()));
        assertEquals("anonymous_consumer", noSuchConsumer.field());
        assertEquals("consumer \"nobody\" does not exist", noSuchConsumer.getMessage());
    }
}
