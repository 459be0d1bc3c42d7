package io.tidegate.plugins.proxyrewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void capturesReadAsNgxReSubReadsThem() throws Exception {
        TestContext ctx = rewrite("{\"regex_uri\": [\"^/api/(.*)\", \"/v2/${1}?from=$0\"]}", TestContext.get("/api/users"));
        assertEquals("/v2/users", ctx.upstreamRequest().path());
        assertEquals("from=/api/users", ctx.upstreamRequest().query());
    }

    @Test
    void uriWithVariablesKeepsTheQuery() throws Exception {
        TestContext ctx = rewrite("{\"uri\": \"/v2/$arg_user/items\"}", TestContext.get("/v1/items?user=ann&x=1"));
        assertEquals("/v2/ann/items", ctx.upstreamRequest().path());
        assertEquals("user=ann&x=1", ctx.upstreamRequest().query());
    }

    @Test
    void uriWithItsOwnQueryIsFollowedByTheClientsQuery() throws Exception {
        TestContext ctx = rewrite("{\"uri\": \"/search?q=${arg_term}\"}", TestContext.get("/find?term=apisix&page=2"));
        assertEquals("/search", ctx.upstreamRequest().path());
        assertEquals("q=apisix&term=apisix&page=2", ctx.upstreamRequest().query(), "as APISIX appends ctx.var.args");
    }

    @Test
    void setToAnEmptyValueRemovesTheHeader() throws Exception {
        TestContext ctx = rewrite("{\"headers\": {\"set\": {\"X-Gone\": \"\", \"X-Unset\": \"$http_nothing\", \"X-Kept\": \"v\"}}}",
                TestContext.get("/a").header("X-Gone", "client").header("X-Unset", "client"));
        assertEquals(null, ctx.upstreamRequest().header("X-Gone"), "as APISIX: set to \"\" removes");
        assertEquals(null, ctx.upstreamRequest().header("X-Unset"), "and so does a value whose variables are unset");
        assertEquals("v", ctx.upstreamRequest().header("X-Kept"));
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
        TestContext named = rewrite("{\"headers\": {\"Flat\": \"1\", \"flat\": \"2\", \"To-Set\": \"3\"}}", TestContext.get("/"));
        assertEquals("2", named.upstreamRequest().header("flat"), "any header name, even the record's own");
        assertEquals("3", named.upstreamRequest().header("To-Set"));
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

    @Test
    void unknownFieldsAndWrongTypesAreRefusedAtTheirField() {
        assertEquals(java.util.List.of("urI: unknown field"), PluginRunner.violations(plugin, "{\"uri\": \"/x\", \"urI\": \"/y\"}"));
        assertField("urI", "{\"uri\": \"/x\", \"urI\": \"/y\"}");
        assertField("uri", "{\"uri\": 5}");
        assertField("regex_uri[1]", "{\"regex_uri\": [\"^/a\", 1]}");
        assertField("headers.set.X-A", "{\"headers\": {\"set\": {\"X-A\": true}}}");
        assertField("headers", "{\"headers\": \"X-A: 1\"}");
        assertField("use_real_request_uri_unsafe", "{\"uri\": \"/x\", \"use_real_request_uri_unsafe\": true}");
    }

    @Test
    void checksTheSchemaCannotExpress() {
        PluginConfigException odd = assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(plugin, "{\"regex_uri\": [\"^/a\", \"/b\", \"^/c\"]}"));
        assertEquals("regex_uri", odd.field());
        assertEquals("must be a list of pattern, replacement pairs", odd.getMessage());
        PluginConfigException regex = assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(plugin, "{\"regex_uri\": [\"^/a\", \"/b\", \"(unclosed\", \"/x\"]}"));
        assertEquals("regex_uri[2]", regex.field());
        assertTrue(regex.getMessage().startsWith("invalid regex: "), regex.getMessage());
    }

    @Test
    void headerNamesAndValuesStayOnOneLine() {
        assertField("headers.add.X-A\\u000d\\u000aX-B", "{\"headers\": {\"add\": {\"X-A\\r\\nX-B\": \"1\"}}}");
        assertField("headers.add.X-A", "{\"headers\": {\"add\": {\"X-A\": \"1\\r\\n\"}}}");
        assertField("headers.remove[0]", "{\"headers\": {\"remove\": [\"X-A\\nX-B\"]}}");
        assertField("host", "{\"host\": \"a.b\\r\\nX-Injected: 1\"}");
    }

    @Test
    void numericHeaderValuesAndUriStartingWithAVariable() throws Exception {
        TestContext ctx = rewrite("{\"uri\": \"$uri/v2\", \"headers\": {\"X-Version\": 2}}", TestContext.get("/api"));
        assertEquals("/api/v2", ctx.upstreamRequest().path());
        assertEquals("2", ctx.upstreamRequest().header("X-Version"));
    }

    @Test
    void captureReferencesWithoutAMatchAreEmpty() throws Exception {
        TestContext ctx = rewrite("{\"regex_uri\": [\"^/a/(.*)\", \"/b/$1\"], \"headers\": {\"X-C\": \"[$1][$9]\"}}",
                TestContext.get("/other"));
        assertEquals("/other", ctx.upstreamRequest().path());
        assertEquals("[][]", ctx.upstreamRequest().header("X-C"));
    }

    private void assertField(String field, String config) {
        assertEquals(field, assertThrows(PluginConfigException.class, () -> PluginRunner.create(plugin, config)).field(), config);
    }
}
