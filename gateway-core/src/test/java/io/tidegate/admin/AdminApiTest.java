package io.tidegate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.source.EtcdStore;
import io.tidegate.testing.EtcdServer;
import io.tidegate.testing.TcpRelay;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testplugins.HeaderAuthPlugin;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Admin API of two gateway nodes sharing one real etcd. */
class AdminApiTest {
    private static final String KEY = "test-admin-key";
    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer();
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");
    @RegisterExtension
    static final UpstreamServer other = new UpstreamServer("other");
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path pluginRoot;
    private static Path plugins;

    private String prefix;
    private TestGateway a;
    private TestGateway b;

    @BeforeAll
    static void authPlugin() throws Exception {
        plugins = Files.createDirectories(pluginRoot.resolve("plugins"));
        TestPluginJars.install(plugins, "auth.jar", "auth", "1", HeaderAuthPlugin.class);
    }

    @BeforeEach
    void twoNodes() {
        prefix = "/t" + UUID.randomUUID().toString().substring(0, 8);
        a = node();
        b = node();
    }

    @AfterEach
    void stopNodes() {
        a.close();
        b.close();
    }

    private TestGateway node() {
        return node(etcd.endpoint());
    }

    private TestGateway node(String etcdEndpoint) {
        return TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  etcd: { endpoints: ["%s"], prefix: %s, timeout: 2 }
                  admin: { address: "127.0.0.1:0", api_key: %s }
                """.formatted(plugins, etcdEndpoint, prefix, KEY));
    }

    private static HttpResponse<String> admin(TestGateway node, String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.gateway().adminAddress().getPort()
                + "/apisix/admin" + path)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("X-API-KEY", key);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(TestGateway node, String method, String path, String body) throws Exception {
        return admin(node, method, path, body, KEY);
    }

    private void putUpstreamAndRoute() throws Exception {
        assertEquals(201, admin(a, "PUT", "/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1}}").statusCode());
        assertEquals(201, admin(a, "PUT", "/routes/1", "{\"uri\":\"/one\",\"upstream_id\":\"u\"}").statusCode());
    }

    @Test
    void aPluginNoJarProvidesIsRefusedWhenWritten() throws Exception {
        HttpResponse<String> typo = admin(a, "PUT", "/routes/1",
                "{\"uri\":\"/t\",\"plugins\":{\"header-aut\":{}},\"upstream\":{\"nodes\":{\"" + upstream.address() + "\":1}}}");
        assertEquals(400, typo.statusCode());
        assertEquals("{\"error_msg\":\"plugins.header-aut: unknown plugin (no loaded jar provides it)\"}\n", typo.body());
        assertEquals(404, admin(a, "GET", "/routes/1", null).statusCode(), "nothing was written");
    }

    @Test
    void withoutTheKeyEverythingIs401() throws Exception {
        HttpResponse<String> missing = admin(a, "GET", "/routes", null, null);
        assertEquals(401, missing.statusCode());
        assertEquals("{\"error_msg\":\"failed to check token\",\"description\":\"missing apikey\"}\n", missing.body());
        HttpResponse<String> wrong = admin(a, "PUT", "/routes/1", "{\"uri\":\"/x\"}", "not-the-key");
        assertEquals(401, wrong.statusCode());
        assertEquals("wrong apikey", TestGateway.json(wrong).get("description").asText());
        assertEquals(404, admin(a, "GET", "/routes/1", null).statusCode(), "nothing was written");
    }

    @Test
    void aRoutePutThroughOneNodeServesOnTheOtherWithinASecond() throws Exception {
        long start = System.nanoTime();
        putUpstreamAndRoute();
        long served = b.awaitStatus("/one", 200, 5000) + (System.nanoTime() - start) / 1_000_000;
        System.out.printf("admin PUT on node A to serving on node B: %d ms%n", served);
        assertTrue(served < 1000, served + " ms");

        HttpResponse<String> got = admin(b, "GET", "/routes/1", null);
        JsonNode entry = TestGateway.json(got);
        assertEquals(prefix + "/routes/1", entry.get("key").asText());
        assertEquals("/one", entry.get("value").get("uri").asText());
        assertEquals("1", entry.get("value").get("id").asText());
        assertTrue(entry.get("value").get("create_time").asLong() > 0);
        assertTrue(entry.get("modifiedIndex").asLong() >= entry.get("createdIndex").asLong());

        HttpResponse<String> replaced = admin(a, "PUT", "/routes/1", "{\"uri\":\"/uno\",\"upstream_id\":\"u\"}");
        assertEquals(200, replaced.statusCode(), "replacing is 200, creating 201");
        assertEquals(entry.get("value").get("create_time").asLong(),
                TestGateway.json(replaced).get("value").get("create_time").asLong(), "create_time survives a replace");
        b.awaitStatus("/uno", 200, 5000);
        assertEquals(404, b.get("/one").statusCode());

        JsonNode list = TestGateway.json(admin(a, "GET", "/routes", null));
        assertEquals(1, list.get("total").asInt());
        assertEquals(prefix + "/routes/1", list.get("list").get(0).get("key").asText());
    }

    /**
     * The check of a route write reads its own key and its upstream, not every route: with 2,000
     * routes stored (about 150 KB to list), what the node reads from etcd for one write, its watch
     * event included, stays a few KB. Before, every write listed the whole prefix.
     */
    @Test
    void aRouteWriteReadsWhatItDependsOnNotEveryRoute() throws Exception {
        int routes = 2000;
        try (EtcdStore store = etcd.store(prefix);
             io.etcd.jetcd.Client direct = io.etcd.jetcd.Client.builder().endpoints(etcd.endpoint()).build()) {
            store.put(prefix + "/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1}}");
            List<CompletableFuture<?>> puts = new ArrayList<>();
            for (int i = 0; i < routes; i++) {
                puts.add(direct.getKVClient().put(bytes(prefix + "/routes/stored-" + i),
                        bytes("{\"uri\":\"/stored/" + i + "\",\"upstream_id\":\"u\",\"desc\":\"one of many routes\"}")));
            }
            CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        }
        URI endpoint = URI.create(etcd.endpoint());
        try (TcpRelay relay = TcpRelay.to(endpoint.getHost(), endpoint.getPort());
             TestGateway counted = node("http://127.0.0.1:" + relay.port())) {
            counted.awaitStatus("/stored/" + (routes - 1), 200, 10_000);
            long listing = relay.bytesFromTarget();
            assertTrue(listing > 150_000, "the start-up listing read every route: " + listing + " bytes");

            long before = relay.bytesFromTarget();
            HttpResponse<String> written = admin(counted, "PUT", "/routes/new", "{\"uri\":\"/new\",\"upstream_id\":\"u\"}");
            assertEquals(201, written.statusCode(), written.body());
            counted.awaitStatus("/new", 200, 5000);
            long read = relay.bytesFromTarget() - before;
            System.out.printf("one route PUT with %d routes stored: %d bytes read from etcd (the listing at start: %d)%n",
                    routes, read, listing);
            assertTrue(read < 10_000, read + " bytes read for one write");
        }
    }

    private static io.etcd.jetcd.ByteSequence bytes(String text) {
        return io.etcd.jetcd.ByteSequence.from(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Credentials are unique among consumers, whichever consumer is written second: the one
     * written is checked against every other (before, a consumer sorting before the one holding
     * the token got in, and the other was then the one in error).
     */
    @Test
    void aConsumerWithATokenAnotherHoldsIsRefusedWhateverItsName() throws Exception {
        assertEquals(201, admin(a, "PUT", "/consumers/mia", "{\"plugins\":{\"header-auth\":{\"token\":\"shared\"}}}").statusCode());
        for (String name : new String[] {"amy", "zoe"}) {
            HttpResponse<String> refused = admin(a, "PUT", "/consumers/" + name, "{\"plugins\":{\"header-auth\":{\"token\":\"shared\"}}}");
            assertEquals(400, refused.statusCode(), name + ": " + refused.body());
            assertTrue(TestGateway.json(refused).get("error_msg").asText().startsWith("plugins.header-auth.token: duplicate token \"shared\""),
                    refused.body());
        }
        assertEquals(201, admin(a, "PUT", "/consumers/amy", "{\"plugins\":{\"header-auth\":{\"token\":\"own\"}}}").statusCode());
        assertEquals(200, admin(a, "PUT", "/consumers/mia", "{\"plugins\":{\"header-auth\":{\"token\":\"shared\"}}}").statusCode(),
                "its own token again is no duplicate");

        // a route whose plugin authenticates against those consumers
        assertEquals(201, admin(a, "PUT", "/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1}}").statusCode());
        assertEquals(201, admin(a, "PUT", "/routes/guarded", "{\"uri\":\"/guarded\",\"plugins\":{\"header-auth\":{}},"
                + "\"upstream_id\":\"u\"}").statusCode());
        b.awaitStatus("/guarded", 401, 5000);
        assertEquals(200, b.send(b.request("/guarded").header("X-Token", "own").GET().build()).statusCode());
    }

    /**
     * A node checks a write against what its watch has delivered; what another node wrote a moment
     * ago may not have arrived yet. A refusal is only answered once etcd itself says so.
     */
    @Test
    void aWriteNamingWhatAnotherNodeJustWroteIsAccepted() throws Exception {
        for (int i = 0; i < 30; i++) {
            assertEquals(201, admin(a, "PUT", "/upstreams/fresh-" + i, "{\"nodes\":{\"" + upstream.address() + "\":1}}").statusCode());
            HttpResponse<String> route = admin(b, "PUT", "/routes/fresh-" + i, "{\"uri\":\"/fresh/" + i + "\",\"upstream_id\":\"fresh-" + i + "\"}");
            assertEquals(201, route.statusCode(), "try " + i + ": " + route.body());
            HttpResponse<String> again = admin(b, "PATCH", "/routes/fresh-" + i, "{\"desc\":\"patched\"}");
            assertEquals(200, again.statusCode(), "try " + i + ": the route b just wrote: " + again.body());
        }
    }

    @Test
    void anInvalidBodyIs400AndWritesNothing() throws Exception {
        putUpstreamAndRoute();
        HttpResponse<String> badUri = admin(a, "PUT", "/routes/2", "{\"uri\":\"two\",\"upstream_id\":\"u\"}");
        assertEquals(400, badUri.statusCode());
        assertEquals("{\"error_msg\":\"uri: must start with /\"}\n", badUri.body());
        HttpResponse<String> dangling = admin(a, "PUT", "/routes/2", "{\"uri\":\"/two\",\"upstream_id\":\"nowhere\"}");
        assertEquals("{\"error_msg\":\"upstream_id: upstream \\\"nowhere\\\" does not exist\"}\n", dangling.body());
        HttpResponse<String> compiled = admin(a, "PUT", "/routes/2", "{\"uri\":\"/two\",\"upstream_id\":\"u\",\"remote_addrs\":[\"10.0.0.0/99\"]}");
        assertEquals(400, compiled.statusCode(), "errors only compiling finds are 400 too: " + compiled.body());
        assertEquals(400, admin(a, "PUT", "/routes/2", "{not json").statusCode());
        assertEquals(400, admin(a, "PUT", "/routes/2", "{\"id\":\"3\",\"uri\":\"/two\",\"upstream_id\":\"u\"}").statusCode());
        HttpResponse<String> missing = admin(a, "GET", "/routes/2", null);
        assertEquals(404, missing.statusCode());
        assertEquals("{\"message\":\"Key not found\"}\n", missing.body());
    }

    @Test
    void idsOfDotsOnlyAndControlCharactersInUrisAreRefused() throws Exception {
        assertEquals(201, admin(a, "PUT", "/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1}}").statusCode());
        for (String id : new String[] {"..", ".", "..."}) {
            HttpResponse<String> dots = admin(a, "PUT", "/routes/" + id, "{\"uri\":\"/d\",\"upstream_id\":\"u\"}");
            assertEquals(400, dots.statusCode(), id + ": " + dots.body());
            assertEquals("{\"error_msg\":\"id: must not consist of dots only\"}\n", dots.body());
        }
        assertEquals(400, admin(a, "PUT", "/upstreams", "{\"id\":\"..\",\"nodes\":{\"" + upstream.address() + "\":1}}").statusCode(),
                "the id from the body too");
        for (String uri : new String[] {"/a\\r\\nX-Injected: 1", "/a\\u0000", "/a b"}) {
            HttpResponse<String> bad = admin(a, "PUT", "/routes/1", "{\"uri\":\"" + uri + "\",\"upstream_id\":\"u\"}");
            assertEquals("{\"error_msg\":\"uri: must not contain control characters or spaces\"}\n", bad.body(), uri);
        }
        HttpResponse<String> host = admin(a, "PUT", "/routes/1", "{\"uri\":\"/h\",\"hosts\":[\"a.example.com\\n\"],\"upstream_id\":\"u\"}");
        assertEquals("{\"error_msg\":\"hosts[0]: must not contain control characters or spaces\"}\n", host.body());
        assertEquals(0, TestGateway.json(admin(a, "GET", "/routes", null)).get("total").asInt(), "nothing written");
        assertEquals(1, TestGateway.json(admin(a, "GET", "/upstreams", null)).get("total").asInt());
    }

    @Test
    void aReferencedUpstreamIsNotDeletedUnlessForced() throws Exception {
        putUpstreamAndRoute();
        HttpResponse<String> refused = admin(a, "DELETE", "/upstreams/u", null);
        assertEquals(400, refused.statusCode());
        assertEquals("{\"error_msg\":\"can not delete this upstream, route [1] is still using it now\"}\n", refused.body());
        assertEquals(200, b.get("/one").statusCode());

        assertEquals(200, admin(a, "DELETE", "/routes/1", null).statusCode());
        HttpResponse<String> deleted = admin(a, "DELETE", "/upstreams/u", null);
        assertEquals("{\"deleted\":\"1\",\"key\":\"" + prefix + "/upstreams/u\"}\n", deleted.body());
        assertEquals(404, admin(a, "DELETE", "/upstreams/u", null).statusCode());
        b.awaitStatus("/one", 404, 5000);
    }

    @Test
    void postGeneratesAnIdAndPatchMerges() throws Exception {
        assertEquals(201, admin(a, "PUT", "/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1}}").statusCode());
        HttpResponse<String> posted = admin(a, "POST", "/routes", "{\"uri\":\"/posted\",\"upstream_id\":\"u\",\"name\":\"p\"}");
        assertEquals(201, posted.statusCode());
        String id = TestGateway.json(posted).get("value").get("id").asText();
        assertTrue(id.matches("[0-9]{18}"), id);
        b.awaitStatus("/posted", 200, 5000);
        assertEquals(405, admin(a, "POST", "/consumers", "{\"username\":\"jack\"}").statusCode());

        HttpResponse<String> patched = admin(a, "PATCH", "/routes/" + id, "{\"uri\":\"/patched\",\"name\":null}");
        assertEquals(200, patched.statusCode());
        JsonNode value = TestGateway.json(patched).get("value");
        assertEquals("/patched", value.get("uri").asText());
        assertTrue(!value.has("name"), "null removes the field");
        assertEquals("u", value.get("upstream_id").asText(), "other fields kept");
        b.awaitStatus("/patched", 200, 5000);
        assertEquals(404, admin(a, "PATCH", "/routes/none", "{\"uri\":\"/x\"}").statusCode());
        assertEquals(200, admin(a, "GET", "/plugins/list", null).statusCode());
    }

    @Test
    void pluginSchemasAreServedAsApisixServesThem() throws Exception {
        HttpResponse<String> schema = admin(a, "GET", "/schema/plugins/header-auth", null);
        assertEquals(200, schema.statusCode(), schema.body());
        assertEquals("object", TestGateway.json(schema).get("type").asText());
        HttpResponse<String> consumer = admin(a, "GET", "/schema/plugins/header-auth?schema_type=consumer", null);
        assertEquals("string", TestGateway.json(consumer).at("/properties/token/type").asText(), consumer.body());
        assertEquals("[\"token\"]", TestGateway.json(consumer).get("required").toString());
        assertEquals(200, admin(a, "GET", "/plugins/header-auth", null).statusCode(), "the older path too");

        HttpResponse<String> unknown = admin(a, "GET", "/schema/plugins/nope", null);
        assertEquals(404, unknown.statusCode());
        assertEquals("{\"error_msg\":\"plugin not found in subsystem http\"}\n", unknown.body());

        JsonNode all = TestGateway.json(admin(a, "GET", "/plugins?all=true", null));
        JsonNode auth = all.get("header-auth");
        assertEquals(2500, auth.get("priority").asInt());
        assertEquals("1", auth.get("version").asText());
        assertEquals("auth", auth.get("type").asText());
        assertEquals("token", auth.at("/consumer_schema/required/0").asText());
        assertEquals("[\"header-auth\"]\n", admin(a, "GET", "/plugins/list", null).body());
    }

    @Test
    void patchOnAPathReplacesTheValueThereAsApisixDoes() throws Exception {
        assertEquals(201, admin(a, "PUT", "/routes/sub", "{\"uri\":\"/sub\",\"upstream\":{\"nodes\":{\"" + upstream.address()
                + "\":1}}}").statusCode());
        b.awaitStatus("/sub", 200, 5000);

        HttpResponse<String> nodes = admin(a, "PATCH", "/routes/sub/upstream/nodes", "{\"" + other.address() + "\":1}");
        assertEquals(200, nodes.statusCode(), nodes.body());
        JsonNode upstreamNow = TestGateway.json(nodes).at("/value/upstream/nodes");
        assertEquals(1, upstreamNow.size(), "replaced, not merged: " + upstreamNow);
        long deadline = System.currentTimeMillis() + 5000;
        while (!TestGateway.json(b.get("/sub")).get("server").asText().equals("other") && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals("other", TestGateway.json(b.get("/sub")).get("server").asText());

        assertEquals(200, admin(a, "PATCH", "/routes/sub/methods", "[\"POST\"]").statusCode());
        b.awaitStatus("/sub", 404, 5000);

        HttpResponse<String> invalid = admin(a, "PATCH", "/routes/sub/uri", "\"no-slash\"");
        assertEquals(400, invalid.statusCode());
        assertTrue(invalid.body().contains("must start with /"), invalid.body());
        assertEquals("/sub", TestGateway.json(admin(a, "GET", "/routes/sub", null)).at("/value/uri").asText(), "nothing written");
        assertEquals(400, admin(a, "PATCH", "/routes/sub/uri/deeper", "1").statusCode(), "uri is not an object");
        assertEquals(404, admin(a, "PATCH", "/routes/none/uri", "\"/x\"").statusCode());
        assertEquals(404, admin(a, "PUT", "/routes/sub/uri", "\"/x\"").statusCode(), "paths are for PATCH only");
    }
}
