package io.tidegate.plugins.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The echo plugin against the test kit: no gateway, no sockets. */
class EchoPluginTest {
    private final EchoPlugin plugin = new EchoPlugin();

    @Test
    void bodyReplacesTheUpstreamBody() throws Exception {
        PluginInstance echo = PluginRunner.create(plugin, "{\"body\": \"hello\"}");
        assertEquals("hello", PluginRunner.filterBody(echo, TestContext.get("/"), "upstream ", "body"));
    }

    @Test
    void beforeAndAfterSurroundTheUpstreamBody() throws Exception {
        PluginInstance echo = PluginRunner.create(plugin, "{\"before_body\": \"<\", \"after_body\": \">\"}");
        assertEquals("<a-b-c>", PluginRunner.filterBody(echo, TestContext.get("/"), "a-", "b-", "c"));
        assertEquals("<>", PluginRunner.filterBody(echo, TestContext.get("/")), "an empty body still gets both");
    }

    @Test
    void headersAreSetOnTheResponse() throws Exception {
        PluginInstance echo = PluginRunner.create(plugin, "{\"headers\": {\"X-Echo\": \"yes\", \"Server\": \"tidegate\"}}");
        TestContext context = TestContext.get("/").upstreamResponse(200, Map.of("Server", "origin"));
        echo.headerFilter(context);
        assertEquals("yes", context.response().header("X-Echo"));
        assertEquals("tidegate", context.response().header("Server"));
        assertFalse(echo.filtersBody(), "headers alone leave the body untouched");
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertEquals("", assertThrows(PluginConfigException.class, () -> PluginRunner.create(plugin, "{}")).field());
        assertEquals("body", assertThrows(PluginConfigException.class, () -> PluginRunner.create(plugin, "{\"body\": 1}")).field());
        assertEquals("colour", assertThrows(PluginConfigException.class, () -> PluginRunner.create(plugin, "{\"colour\": \"red\"}")).field());
        assertEquals("headers.X-Bad", assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(plugin, "{\"headers\": {\"X-Bad\": \"a\\r\\nb\"}}")).field());
    }
}
