package io.tidegate.plugins.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** cors's header decisions, as APISIX's t/plugin/cors*.t expect them. */
class CorsPluginTest {
    private static final CorsPlugin PLUGIN = new CorsPlugin();

    private static TestContext answered(PluginInstance cors, String origin) {
        TestContext context = TestContext.get("/hello");
        if (origin != null) {
            context.header("Origin", origin);
        }
        context.upstreamResponse(200, java.util.Map.of());
        cors.headerFilter(context);
        return context;
    }

    @Test
    void defaultsAllowAnyOriginWithoutVary() throws Exception {
        TestContext context = answered(PluginRunner.create(PLUGIN, "{}"), "https://a.example");
        assertEquals("*", context.response().header("Access-Control-Allow-Origin"));
        assertEquals("*", context.response().header("Access-Control-Allow-Methods"));
        assertEquals("*", context.response().header("Access-Control-Allow-Headers"));
        assertEquals("5", context.response().header("Access-Control-Max-Age"));
        assertNull(context.response().header("Access-Control-Expose-Headers"));
        assertNull(context.response().header("Access-Control-Allow-Credentials"));
        assertNull(context.response().header("Vary"));
    }

    @Test
    void aListAllowsOnlyItsOriginsAndVaries() throws Exception {
        PluginInstance cors = PluginRunner.create(PLUGIN, "{\"allow_origins\": \"https://a.example,https://b.example:8443\"}");
        assertEquals("https://b.example:8443", answered(cors, "https://b.example:8443").response().header("Access-Control-Allow-Origin"));
        TestContext other = answered(cors, "https://evil.example");
        assertNull(other.response().header("Access-Control-Allow-Origin"));
        assertNull(other.response().header("Access-Control-Allow-Methods"), "no CORS header at all for an origin not listed");
        assertEquals("Origin", other.response().header("Vary"));
    }

    @Test
    void doubleStarEchoesOriginAndRequestedHeaders() throws Exception {
        PluginInstance cors = PluginRunner.create(PLUGIN,
                "{\"allow_origins\": \"**\", \"allow_methods\": \"**\", \"allow_headers\": \"**\", \"allow_credential\": true, \"expose_headers\": \"X-Trace\"}");
        TestContext context = TestContext.get("/hello").header("Origin", "https://a.example").header("Access-Control-Request-Headers", "X-One, X-Two");
        context.upstreamResponse(200, java.util.Map.of());
        cors.headerFilter(context);
        assertEquals("https://a.example", context.response().header("Access-Control-Allow-Origin"));
        assertEquals("GET,POST,PUT,DELETE,PATCH,HEAD,OPTIONS,CONNECT,TRACE", context.response().header("Access-Control-Allow-Methods"));
        assertEquals("X-One, X-Two", context.response().header("Access-Control-Allow-Headers"));
        assertEquals("true", context.response().header("Access-Control-Allow-Credentials"));
        assertEquals("X-Trace", context.response().header("Access-Control-Expose-Headers"));
        assertEquals("*", answered(cors, null).response().header("Access-Control-Allow-Origin"), "no Origin: '*'");
    }

    @Test
    void regexesReplaceTheList() throws Exception {
        PluginInstance cors = PluginRunner.create(PLUGIN, "{\"allow_origins_by_regex\": [\"\\\\.test\\\\.com$\", \"^http://localhost\"]}");
        assertEquals("https://a.test.com", answered(cors, "https://a.test.com").response().header("Access-Control-Allow-Origin"));
        assertEquals("http://localhost:3000", answered(cors, "http://localhost:3000").response().header("Access-Control-Allow-Origin"));
        assertNull(answered(cors, "https://a.test.com.evil").response().header("Access-Control-Allow-Origin"));
        assertNull(answered(cors, null).response().header("Access-Control-Allow-Origin"));
    }

    @Test
    void aSingleOriginIsSentOnlyToThatOrigin() throws Exception {
        PluginInstance cors = PluginRunner.create(PLUGIN, "{\"allow_origins\": \"https://a.example\"}");
        assertEquals("https://a.example", answered(cors, "https://a.example").response().header("Access-Control-Allow-Origin"));
        assertNull(answered(cors, "https://b.example").response().header("Access-Control-Allow-Origin"));
        assertNull(answered(cors, null).response().header("Access-Control-Allow-Origin"), "APISIX's cors.t TEST 37");
    }

    @Test
    void timingAllowOriginOnlyForTheRequestsOwnOrigin() throws Exception {
        PluginInstance cors = PluginRunner.create(PLUGIN, "{\"timing_allow_origins\": \"https://a.example\"}");
        assertEquals("https://a.example", answered(cors, "https://a.example").response().header("Timing-Allow-Origin"));
        assertNull(answered(cors, "https://b.example").response().header("Timing-Allow-Origin"));
    }

    @Test
    void optionsIsAnsweredByTheGatewayAndOtherMethodsPass() throws Exception {
        PluginInstance cors = PluginRunner.create(PLUGIN, "{}");
        assertEquals(200, cors.rewrite(TestContext.request("OPTIONS", "/hello")).status());
        assertEquals(true, cors.rewrite(TestContext.get("/hello")).proceeds());
    }

    @Test
    void wildcardsWithCredentialsAndBadRegexesAreRefused() {
        for (String field : List.of("allow_origins", "allow_methods", "allow_headers", "expose_headers", "timing_allow_origins")) {
            PluginConfigException e = assertThrows(PluginConfigException.class, () -> PluginRunner.create(PLUGIN,
                    "{\"allow_credential\": true, \"allow_origins\": \"https://a.example\", \"allow_methods\": \"GET\", \"allow_headers\": \"X\", \""
                            + field + "\": \"*\"}"));
            assertEquals("you can not set '*' for other option when 'allow_credential' is true", e.getMessage(), field);
        }
        PluginConfigException regex = assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(PLUGIN, "{\"allow_origins_by_regex\": [\"ok\", \"(\"]}"));
        assertEquals("allow_origins_by_regex[1]", regex.field());
    }
}
