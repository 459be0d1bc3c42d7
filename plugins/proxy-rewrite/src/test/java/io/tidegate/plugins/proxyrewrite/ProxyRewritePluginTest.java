package io.tidegate.plugins.proxyrewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import org.junit.jupiter.api.Test;

/** proxy-rewrite with the test kit (after APISIX's t/plugin/proxy-rewrite*.t). */
class ProxyRewritePluginTest {
    private final ProxyRewritePlugin plugin = new ProxyRewritePlugin();

    private TestContext rewrite(String config, TestContext context) throws PluginConfigException {
        PluginInstance instance = PluginRunner.create(plugin, config);
        instance.rewrite(context);
        return context;
    }

    @Test
    void uriWithVariablesKeepsTheQuery() throws Exception {
        TestContext ctx = rewrite("{\"uri\": \"/v2/$arg_user/items\"}", TestContext.get("/v1/items?user=ann&x=1"));
        assertEquals("/v2/ann/items", ctx.upstreamRequest().path());
        assertEquals("user=ann&x=1", ctx.upstreamRequest().query());
    }

    @Test
    void uriWithItsOwnQueryReplacesTheClientsQuery() throws Exception {
        TestContext ctx = rewrite("{\"uri\": \"/search?q=${arg_term}\"}", TestContext.get("/find?term=apisix&page=2"));
        assertEquals("/search", ctx.upstreamRequest().path());
        assertEquals("q=apisix", ctx.upstreamRequest().query());
    }

    @Test
    void regexUriFirstMatchWinsWithCaptures() throws Exception {
        String config = "{\"regex_uri\": [\"^/api/v1/(.*)/(.*)\", \"/$2/$1\", \"^/api/(.*)\", \"/legacy/$1\"], "
                + "\"headers\": {\"X-Captured\": \"$1\"}}";
        assertEquals("/b/a", rewrite(config, TestContext.get("/api/v1/a/b")).upstreamRequest().path());
        TestContext second = rewrite(config, TestContext.get("/api/other"));
        assertEquals("/legacy/other", second.upstreamRequest().path());
        assertEquals("other", second.upstreamRequest().header("X-Captured"));
        assertEquals("/nomatch", rewrite(config, TestContext.get("/nomatch")).upstreamRequest().path());
    }

    @Test
    void rewrittenUriIsSafelyEncoded() throws Exception {
        TestContext ctx = rewrite("{\"uri\": \"/files/$arg_name\"}", TestContext.get("/f?name=caf%C3%A9%20menu%25"));
        assertEquals("/files/caf%C3%A9%20menu%", ctx.upstreamRequest().path(), "existing % is left as written");
    }

    @Test
    void uriTakesPrecedenceOverRegexUri() throws Exception {
        TestContext ctx = rewrite("{\"uri\": \"/fixed\", \"regex_uri\": [\"^/(.*)\", \"/re/$1\"]}", TestContext.get("/x"));
        assertEquals("/fixed", ctx.upstreamRequest().path());
    }

    @Test
    void headersAreAddedThenSetThenRemoved() throws Exception {
        TestContext ctx = TestContext.get("/h").header("X-Keep", "a").header("X-Gone", "b").header("X-Over", "old");
        rewrite("{\"headers\": {\"add\": {\"X-Keep\": \"added\", \"X-Both\": \"from-add\"}, "
                + "\"set\": {\"X-Over\": \"new\", \"X-Both\": \"from-set\", \"X-Ip\": \"$remote_addr\"}, "
                + "\"remove\": [\"X-Gone\"]}}", ctx);
        assertEquals("a", ctx.upstreamRequest().header("X-Keep"), "add keeps the existing value first");
        assertEquals("new", ctx.upstreamRequest().header("X-Over"));
        assertEquals("from-set", ctx.upstreamRequest().header("X-Both"), "set runs after add");
        assertEquals("127.0.0.1", ctx.upstreamRequest().header("X-Ip"));
        assertNull(ctx.upstreamRequest().header("X-Gone"));
    }

    @Test
    void flatHeaderMapMeansSet() throws Exception {
        TestContext ctx = rewrite("{\"headers\": {\"X-Api\": \"v2\"}}", TestContext.get("/").header("X-Api", "v1"));
        assertEquals("v2", ctx.upstreamRequest().header("X-Api"));
    }

    @Test
    void methodAndHost() throws Exception {
        TestContext ctx = rewrite("{\"method\": \"POST\", \"host\": \"internal.svc\"}", TestContext.get("/"));
        assertEquals("POST", ctx.upstreamRequest().method());
        assertEquals("internal.svc", ctx.upstreamRequest().header("Host"));
    }

    @Test
    void substitutedValuesCannotInjectHeaderLines() throws Exception {
        TestContext ctx = rewrite("{\"headers\": {\"X-User\": \"$arg_u\"}}", TestContext.get("/?u=a%0D%0AX-Admin:%20yes"));
        assertEquals("aX-Admin: yes", ctx.upstreamRequest().header("X-User"));
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertField("headers.set.X-Bad", "{\"headers\": {\"set\": {\"X-Bad\": \"a\\r\\nInjected: 1\"}}}");
        assertField("headers.X-Bad", "{\"headers\": {\"X-Bad\": \"a\\nb\"}}");
        assertField("uri", "{\"uri\": \"relative\"}");
        assertField("regex_uri", "{\"regex_uri\": [\"^/only-a-pattern\"]}");
        assertField("regex_uri[0]", "{\"regex_uri\": [\"(unclosed\", \"/x\"]}");
        assertField("method", "{\"method\": \"FETCH\"}");
        assertField("headers.push", "{\"headers\": {\"set\": {}, \"push\": {}}}");
        assertField("", "{}");
    }

    private void assertField(String field, String config) {
        assertEquals(field, assertThrows(PluginConfigException.class, () -> PluginRunner.create(plugin, config)).field(), config);
    }
}
