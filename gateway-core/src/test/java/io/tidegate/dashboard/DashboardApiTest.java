package io.tidegate.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.EtcdServer;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.UpstreamServer;
import io.tidegate.testplugins.HeaderAuthPlugin;
import io.tidegate.testplugins.RecorderPlugin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's data API ({@code /ui/api/...}) on real gateways in each mode: API-driven
 * standalone, etcd (a real etcd) and a read-only file; what the browser tests click through is
 * checked here answer by answer.
 */
class DashboardApiTest {
    private static final String KEY = "dashboard-admin-key";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");
    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer();

    @TempDir
    static Path root;
    private static Path plugins;
    private final List<TestGateway> gateways = new ArrayList<>();

    @BeforeAll
    static void installPlugins() throws Exception {
        plugins = Files.createDirectories(root.resolve("plugins"));
        TestPluginJars.install(plugins, "test-plugins.jar", "test-plugins", "1.2.3", HeaderAuthPlugin.class, RecorderPlugin.class);
    }

    @AfterEach
    void stop() {
        gateways.forEach(TestGateway::close);
    }

    private TestGateway start(String adminExtra, String rest) {
        TestGateway gateway = TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  admin: { address: "127.0.0.1:0", api_key: %s%s }
                %s""".formatted(plugins, KEY, adminExtra, rest));
        gateways.add(gateway);
        return gateway;
    }

    private static HttpResponse<String> call(TestGateway gateway, String method, String path, String body, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().adminAddress().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("X-API-KEY", key);
        }
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> configs(TestGateway gateway, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().adminAddress().getPort()
                + "/apisix/admin/configs")).PUT(HttpRequest.BodyPublishers.ofString(body)).header("X-API-KEY", KEY)
                .header("X-Digest", UUID.randomUUID().toString()).build();
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> api(TestGateway gateway, String method, String path, String body) {
        return call(gateway, method, "/ui/api/" + path, body, KEY);
    }

    private static JsonNode get(TestGateway gateway, String path) {
        HttpResponse<String> response = api(gateway, "GET", path, null);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return TestGateway.json(response);
    }

    private String route(String uri, String plugins) {
        return "{\"uri\":\"" + uri + "\",\"plugins\":{" + plugins + "},\"upstream\":{\"nodes\":{\"" + upstream.address() + "\":1}}}";
    }

    @Test
    void dataNeedsTheKeyInItsHeaderWhileThePageAndItsScriptsNeedNone() {
        TestGateway gateway = start("", "");
        assertEquals("missing apikey", TestGateway.json(call(gateway, "GET", "/ui/api/overview", null, null)).path("description").asText());
        assertEquals("wrong apikey", TestGateway.json(call(gateway, "GET", "/ui/api/overview", null, "nope-nope")).path("description").asText());
        assertEquals(401, call(gateway, "GET", "/ui/api/config?api_key=" + KEY, null, null).statusCode(), "never from the query string");

        HttpResponse<String> charts = call(gateway, "GET", "/ui/vendor/uplot/uPlot.iife.min.js", null, null);
        assertEquals(200, charts.statusCode());
        assertTrue(charts.body().contains("uPlot"));
        String csp = charts.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && csp.contains("default-src 'none'") && !csp.contains("unsafe"), csp);
        assertEquals("nosniff", charts.headers().firstValue("X-Content-Type-Options").orElse(null));
        assertEquals(301, call(gateway, "GET", "/ui", null, null).statusCode());
        assertEquals(404, call(gateway, "GET", "/ui/..%2f..%2fio/tidegate/version.properties", null, null).statusCode());
        assertEquals(404, call(gateway, "GET", "/ui/vendor/uplot/../../../META-INF/MANIFEST.MF", null, null).statusCode());
        // the Admin API behind it is unchanged
        assertEquals(200, call(gateway, "GET", "/apisix/admin/configs", null, KEY).statusCode());
    }

    @Test
    void clientsWithoutTheKeyAnnouncingBodiesTheyNeverSendHoldNoThread() throws Exception {
        TestGateway gateway = start("", "");
        int port = gateway.gateway().adminAddress().getPort();
        List<java.net.Socket> stalled = new ArrayList<>();
        try {
            for (String path : List.of("/ui/api/format", "/ui/api/resources/routes/x", "/apisix/admin/configs", "/apisix/admin/routes/x")) {
                java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
                socket.setSoTimeout(5000);
                stalled.add(socket);
                socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n{")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String answer = new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 401", answer, path + " answered before its body, which never comes");
            }
            long started = System.nanoTime();
            assertEquals(200, api(gateway, "GET", "overview", null).statusCode());
            assertEquals(200, call(gateway, "GET", "/apisix/admin/configs", null, KEY).statusCode());
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "the worker threads are free");
        } finally {
            for (java.net.Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void apiDrivenResourcesAreEditedOneByOneWithErrorsAtTheirFieldAndSecretsNeverSent() {
        TestGateway gateway = start("", "");
        JsonNode overview = get(gateway, "overview");
        assertEquals("api", overview.path("source").path("mode").asText());
        assertTrue(overview.path("source").path("writable").asBoolean());
        assertEquals("1.2.3", overview.path("plugins").path(0).path("version").asText());

        HttpResponse<String> invalid = api(gateway, "PUT", "resources/routes/r1", route("no-slash", ""));
        assertEquals(400, invalid.statusCode(), invalid.body());
        JsonNode error = TestGateway.json(invalid).path("errors").path(0);
        assertEquals("uri", error.path("field").asText());
        assertEquals("must start with /", error.path("message").asText());
        assertEquals(404, gateway.get("/hello").statusCode(), "nothing saved");

        HttpResponse<String> created = api(gateway, "PUT", "resources/routes/r1", route("/hello", "\"header-auth\":{}"));
        assertEquals(201, created.statusCode());
        assertEquals(2, TestGateway.json(created).path("config_version").asInt(), "the version that serves it");
        assertEquals(401, gateway.get("/hello").statusCode(), "served with its plugin as soon as the write is answered");
        assertEquals(201, api(gateway, "PUT", "resources/consumers/jack",
                "{\"username\":\"jack\",\"plugins\":{\"header-auth\":{\"token\":\"s3cret-token\"}}}").statusCode());
        assertEquals(200, gateway.send(gateway.request("/hello").header("X-Token", "s3cret-token").build()).statusCode());

        String config = api(gateway, "GET", "config", null).body();
        assertFalse(config.contains("s3cret-token"), config);
        assertTrue(config.contains("\"token\":\"******\""), config);
        // saved back still masked: the stored token stays
        assertEquals(200, api(gateway, "PUT", "resources/consumers/jack",
                "{\"username\":\"jack\",\"desc\":\"renamed\",\"plugins\":{\"header-auth\":{\"token\":\"******\"}}}").statusCode());
        assertEquals(200, gateway.send(gateway.request("/hello").header("X-Token", "s3cret-token").build()).statusCode());
        long withFirstToken = awaitNewestHolding(gateway, "r1").path("seq").asLong();
        // the token rotated: a restore of the version before would bring the old one back, and says so
        assertEquals(200, api(gateway, "PUT", "resources/consumers/jack",
                "{\"desc\":\"renamed\",\"plugins\":{\"header-auth\":{\"token\":\"rotated-token\"}}}").statusCode());
        awaitHistory(gateway, (int) withFirstToken + 1);
        assertEquals("[\"consumers/jack\"]", get(gateway, "history/" + withFirstToken).path("secrets_changed").toString());
        assertEquals(401, gateway.send(gateway.request("/hello").header("X-Token", "s3cret-token").build()).statusCode());
        // a mask with nothing behind it is never stored as the token
        HttpResponse<String> masked = api(gateway, "PUT", "resources/consumers/jill", "{\"plugins\":{\"header-auth\":{\"token\":\"******\"}}}");
        assertEquals(400, masked.statusCode());
        assertEquals("plugins.header-auth.token", TestGateway.json(masked).path("errors").path(0).path("field").asText());
        assertEquals(401, gateway.send(gateway.request("/hello").header("X-Token", "******").build()).statusCode());

        assertEquals(200, api(gateway, "POST", "validate/routes/r2", route("/other", "")).statusCode());
        assertEquals(400, api(gateway, "POST", "validate/routes/r2", route("/other", "\"recorder\":{}")).statusCode(),
                "the plugin's own schema: tag is required");
        assertEquals(404, gateway.get("/other").statusCode(), "a check writes nothing");

        assertEquals(404, api(gateway, "DELETE", "resources/consumers/nobody", null).statusCode());
        assertEquals(201, api(gateway, "PUT", "resources/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1}}").statusCode());
        assertEquals(201, api(gateway, "PUT", "resources/routes/uses-u", "{\"uri\":\"/u\",\"upstream_id\":\"u\"}").statusCode());
        HttpResponse<String> inUse = api(gateway, "DELETE", "resources/upstreams/u", null);
        assertEquals(400, inUse.statusCode());
        assertTrue(TestGateway.json(inUse).path("error_msg").asText().startsWith("can not delete upstreams/u, still used: routes["),
                inUse.body());
        assertTrue(TestGateway.json(inUse).path("errors").path(0).path("field").isNull(), "about another resource: no field of this one");
        assertEquals(200, gateway.get("/u").statusCode(), "nothing deleted");
        assertEquals(200, api(gateway, "DELETE", "resources/routes/r1", null).statusCode());
        assertEquals(404, gateway.get("/hello").statusCode());
    }

    @Test
    void theRawEditorsYamlKeepsStringsThatLookLikeNumbersStrings() {
        TestGateway gateway = start("", "");
        HttpResponse<String> yaml = api(gateway, "POST", "format?to=yaml", "{\"id\":\"2\",\"weight\":3,\"b\":\"1.5\"}");
        assertEquals(200, yaml.statusCode());
        HttpResponse<String> back = api(gateway, "POST", "format?to=json", yaml.body());
        JsonNode json = TestGateway.json(back);
        assertTrue(json.path("id").isTextual() && json.path("b").isTextual() && json.path("weight").isInt(), back.body());
        assertEquals(400, api(gateway, "POST", "format?to=json", "a: [").statusCode());
    }

    @Test
    void aRoutesChainIsShownInExecutionOrderWithWhereEachPluginComesFrom() {
        TestGateway gateway = start("", "");
        assertEquals(202, configs(gateway, """
                {"global_rules": [{"id": "g", "plugins": {"recorder": {"tag": "global"}}}],
                 "services": [{"id": "s", "plugins": {"header-auth": {}}}],
                 "routes": [{"id": "r", "uri": "/r", "service_id": "s", "plugins": {"recorder": {"tag": "route"}},
                             "upstream": {"nodes": {"%s": 1}}}]}""".formatted(upstream.address())).statusCode());
        JsonNode chain = get(gateway, "routes/r/chain");
        List<String> shown = new ArrayList<>();
        chain.path("plugins").forEach(p -> shown.add(p.path("name").asText() + "@" + p.path("origin").asText()));
        assertEquals(List.of("recorder@global_rule g", "header-auth@service s", "recorder@route"), shown);
        assertEquals("[\"rewrite\"]", chain.path("plugins").path(1).path("phases").toString());
        assertEquals(404, api(gateway, "GET", "routes/nope/chain", null).statusCode());
    }

    @Test
    void historyListsWhatChangedAndRestoresAnEarlierVersion() {
        TestGateway gateway = start("", "");
        assertEquals(201, api(gateway, "PUT", "resources/routes/a", route("/a", "")).statusCode());
        awaitHistory(gateway, 2);
        assertEquals(201, api(gateway, "PUT", "resources/routes/b", route("/b", "")).statusCode());
        JsonNode entries = awaitHistory(gateway, 3);
        assertEquals("[\"routes/b\"]", entries.path(0).path("changes").path("added").toString());
        assertTrue(entries.path(0).path("current").asBoolean());
        long withA = entries.path(1).path("seq").asLong();
        JsonNode routesThen = get(gateway, "history/" + withA).path("document").path("routes");
        assertEquals(List.of("a"), ids(routesThen));

        HttpResponse<String> restored = api(gateway, "POST", "history/" + withA + "/restore", null);
        assertEquals(200, restored.statusCode(), restored.body());
        assertEquals(200, gateway.get("/a").statusCode());
        assertEquals(404, gateway.get("/b").statusCode(), "the restored version is the one in force");
        JsonNode after = awaitHistory(gateway, 4);
        assertEquals("[\"routes/b\"]", after.path(0).path("changes").path("removed").toString());
        assertEquals("restore of #" + withA, after.path(0).path("cause").asText());
    }

    private static List<String> ids(JsonNode items) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.path("id").asText()));
        return ids;
    }

    /** The newest history entry once it holds that route (a version is recorded a moment after it serves). */
    private static JsonNode awaitNewestHolding(TestGateway gateway, String routeId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            JsonNode newest = get(gateway, "history").path("entries").path(0);
            if (ids(get(gateway, "history/" + newest.path("seq").asLong()).path("document").path("routes")).contains(routeId)) {
                return newest;
            }
            assertTrue(System.nanoTime() < deadline, "no history entry holds route " + routeId);
        }
    }

    private static JsonNode awaitHistory(TestGateway gateway, int entries) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        JsonNode history;
        do {
            history = get(gateway, "history").path("entries");
        } while (history.size() < entries && System.nanoTime() < deadline);
        assertEquals(entries, history.size(), history.toString());
        return history;
    }

    @Test
    void onEtcdEditsAreCheckedWritesAndARestoreWritesTheDifference() {
        String prefix = "/d" + UUID.randomUUID().toString().substring(0, 8);
        TestGateway gateway = start("", "  etcd: { endpoints: [\"%s\"], prefix: %s, timeout: 2 }\n".formatted(etcd.endpoint(), prefix));
        assertEquals("etcd", get(gateway, "overview").path("source").path("mode").asText());
        assertEquals(201, api(gateway, "PUT", "resources/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1}}").statusCode());
        assertEquals(201, api(gateway, "PUT", "resources/routes/one", "{\"uri\":\"/one\",\"upstream_id\":\"u\"}").statusCode());
        gateway.awaitStatus("/one", 200, 5000);
        JsonNode bad = TestGateway.json(api(gateway, "PUT", "resources/routes/two", "{\"uri\":\"/two\",\"upstream_id\":\"missing\"}"));
        assertTrue(bad.path("error_msg").asText().contains("missing"), bad.toString());
        JsonNode withOne = awaitNewestHolding(gateway, "one");

        assertEquals(200, api(gateway, "DELETE", "resources/routes/one", null).statusCode());
        gateway.awaitStatus("/one", 404, 5000);
        HttpResponse<String> upstreamInUse = api(gateway, "PUT", "resources/routes/three", "{\"uri\":\"/three\",\"upstream_id\":\"u\"}");
        assertEquals(201, upstreamInUse.statusCode());
        assertEquals(400, api(gateway, "DELETE", "resources/upstreams/u", null).statusCode(), "still used by route three");

        assertEquals(200, api(gateway, "POST", "history/" + withOne.path("seq").asLong() + "/restore", null).statusCode());
        gateway.awaitStatus("/one", 200, 5000);
        gateway.awaitStatus("/three", 404, 5000);
        JsonNode routes = get(gateway, "config").path("document").path("routes");
        assertEquals(1, routes.size(), routes.toString());
        assertEquals("one", routes.path(0).path("id").asText());
    }

    @Test
    void fileResourcesAreShownReadOnly() {
        TestGateway gateway = start(", read_only: true", """
                routes:
                  - { id: f, uri: /f, upstream: { nodes: { "%s": 1 } } }
                ssls: []
                """.formatted(upstream.address()));
        JsonNode config = get(gateway, "config");
        assertEquals("file", config.path("mode").asText());
        assertFalse(config.path("writable").asBoolean());
        assertTrue(config.path("read_only_reason").asText().contains("edit that file"), config.toString());
        assertEquals("f", config.path("document").path("routes").path(0).path("id").asText());
        assertEquals(405, api(gateway, "PUT", "resources/routes/g", route("/g", "")).statusCode());
        assertEquals(405, api(gateway, "POST", "history/1/restore", null).statusCode());
        assertEquals(405, call(gateway, "PUT", "/apisix/admin/configs", "{}", KEY).statusCode(), "the Admin API is read-only too");
        assertEquals(200, call(gateway, "POST", "/apisix/admin/schema/validate/routes",
                "{\"uri\":\"/x\",\"upstream\":{\"nodes\":{\"127.0.0.1:1\":1}}}", KEY).statusCode(),
                "checks that write nothing still answer");
        assertNotNull(get(gateway, "schemas").path("resources").path("routes").path("properties").get("uri"));
    }
}
