package io.tidegate.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.EtcdKeySpace;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An authenticated route next to a {@code /*} catch-all, with resources in a real etcd: whatever
 * goes wrong with the values behind the protected route (written straight into etcd, or an
 * upstream deleted with {@code ?force=true}), its requests never reach the catch-all and never go
 * through without credentials. The authentication plugin is header-auth (an authentication plugin
 * like key-auth: a consumer's token in {@code X-Token}, else 401), loaded from a real plugin jar.
 */
class FailClosedTest {
    private static final String ADMIN_KEY = "test-admin-key";
    private static final String TOKEN = "t-jack";
    private static final String UNAVAILABLE = "{\"error_msg\":\"503 Service Unavailable\"}\n";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer();

    @RegisterExtension
    static final UpstreamServer protectedSide = new UpstreamServer("protected");
    @RegisterExtension
    static final UpstreamServer openSide = new UpstreamServer("open");

    @RegisterExtension
    final EtcdKeySpace keys = new EtcdKeySpace(etcd);

    @TempDir
    static Path pluginRoot;
    private static Path plugins;

    @BeforeAll
    static void authPlugin() throws Exception {
        plugins = Files.createDirectories(pluginRoot.resolve("plugins"));
        TestPluginJars.install(plugins, "auth.jar", "auth", "1", HeaderAuthPlugin.class, RecorderPlugin.class);
    }

    private TestGateway gateway() {
        return TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  etcd: { endpoints: ["%s"], prefix: %s, timeout: 2 }
                  admin: { address: "127.0.0.1:0", api_key: %s }
                """.formatted(plugins, etcd.endpoint(), keys.prefix(), ADMIN_KEY));
    }

    private void put(String key, String json) {
        keys.put("/" + key, json);
    }

    /** An upstream for the protected side, a consumer, and a catch-all route to the open side. */
    private void baseline() {
        put("upstreams/u", "{\"nodes\":{\"" + protectedSide.address() + "\":1}}");
        put("consumers/jack", "{\"username\":\"jack\",\"plugins\":{\"header-auth\":{\"token\":\"" + TOKEN + "\"}}}");
        put("routes/open", "{\"uri\":\"/*\",\"upstream\":{\"nodes\":{\"" + openSide.address() + "\":1}}}");
    }

    private static final String ADMIN_ROUTE = "{\"uri\":\"/admin/*\",\"plugins\":{\"header-auth\":{}},\"upstream_id\":\"u\"}";

    /** Writes straight into etcd and waits until the gateway has applied a version that saw it. */
    private void write(TestGateway gw, Runnable change) throws Exception {
        long before = gw.gateway().snapshot().version();
        change.run();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (gw.gateway().snapshot().version() == before) {
            assertTrue(System.nanoTime() < deadline, "no version applied after the change");
            Thread.sleep(5);
        }
    }

    private static HttpResponse<String> get(TestGateway gw, String path, String token) {
        HttpRequest.Builder request = gw.request(path).GET();
        if (token != null) {
            request.header("X-Token", token);
        }
        return gw.send(request.build());
    }

    private static void assertLocked(TestGateway gw, String path) {
        HttpResponse<String> anonymous = get(gw, path, null);
        assertEquals(401, anonymous.statusCode(), path + " without a token: " + anonymous.body());
        HttpResponse<String> member = get(gw, path, TOKEN);
        assertEquals(200, member.statusCode(), path + " with a token: " + member.body());
        assertEquals("protected", TestGateway.json(member).get("server").asText());
    }

    private static void assertUnavailable(TestGateway gw, String path) {
        for (String token : new String[] {null, TOKEN}) {
            HttpResponse<String> response = get(gw, path, token);
            assertEquals(503, response.statusCode(), path + " (token " + token + "): " + response.body());
            assertEquals(UNAVAILABLE, response.body());
        }
    }

    @Test
    void aRouteWhoseValueGoesBadKeepsServingItsLastGoodVersion() throws Exception {
        baseline();
        put("routes/admin", ADMIN_ROUTE);
        try (TestGateway gw = gateway()) {
            assertLocked(gw, "/admin/x");
            assertEquals("open", TestGateway.json(get(gw, "/elsewhere", null)).get("server").asText());

            write(gw, () -> put("routes/admin", "{\"uri\":\"/admin/*\",\"plugins\":{\"header-auth\":{}},"
                    + "\"upstream_id\":\"u\",\"colour\":\"red\"}"));
            assertLocked(gw, "/admin/x");

            // a value that reads but that a plugin rejects when it compiles
            write(gw, () -> put("routes/admin", "{\"uri\":\"/admin/*\",\"plugins\":{\"header-auth\":{},"
                    + "\"recorder\":{\"tag\":5}},\"upstream_id\":\"u\"}"));
            assertLocked(gw, "/admin/x");

            write(gw, () -> put("routes/admin", "{not json"));
            assertLocked(gw, "/admin/x");
        }
    }

    @Test
    void aRouteWithNoGoodVersionAnswers503InsteadOfFallingThrough() throws Exception {
        put("upstreams/u", "{\"nodes\":{\"" + protectedSide.address() + "\":1}}");
        put("routes/admin", "{\"uri\":\"/admin/*\",\"plugins\":{\"header-auth\":{}},\"upstream_id\":\"u\",\"colour\":\"red\"}");
        put("routes/open", "{\"uri\":\"/*\",\"upstream\":{\"nodes\":{\"" + openSide.address() + "\":1}}}");
        try (TestGateway gw = gateway()) {
            assertUnavailable(gw, "/admin/x");
            assertEquals(200, get(gw, "/elsewhere", null).statusCode());

            // once fixed, it serves; broken again, its last good version serves
            write(gw, () -> put("routes/admin", ADMIN_ROUTE));
            assertEquals(401, get(gw, "/admin/x", null).statusCode());
            write(gw, () -> put("routes/admin", "{\"uri\":\"/admin/*\",\"colour\":\"red\"}"));
            assertEquals(401, get(gw, "/admin/x", null).statusCode());
        }
    }

    @Test
    void anUpstreamDeletedByForceLeavesTheRouteAuthenticatingAndAnswering502() throws Exception {
        baseline();
        put("routes/admin", ADMIN_ROUTE);
        try (TestGateway gw = gateway()) {
            assertLocked(gw, "/admin/x");
            write(gw, () -> {
                HttpResponse<String> refused = admin(gw, "DELETE", "/upstreams/u");
                assertEquals(400, refused.statusCode(), refused.body());
                HttpResponse<String> deleted = admin(gw, "DELETE", "/upstreams/u?force=true");
                assertEquals(200, deleted.statusCode(), deleted.body());
            });
            assertEquals(401, get(gw, "/admin/x", null).statusCode());
            HttpResponse<String> member = get(gw, "/admin/x", TOKEN);
            assertEquals(502, member.statusCode(), member.body());
            assertEquals("{\"error_msg\":\"502 Bad Gateway\"}\n", member.body());
        }
    }

    @Test
    void aPluginConfigOrServiceGoneBadKeepsItsLastGoodVersionAndOneWithNoneAnswers503() throws Exception {
        baseline();
        put("plugin_configs/auth", "{\"plugins\":{\"header-auth\":{}}}");
        put("services/guarded", "{\"plugins\":{\"header-auth\":{}},\"upstream_id\":\"u\"}");
        put("routes/by-config", "{\"uri\":\"/by-config/*\",\"plugin_config_id\":\"auth\",\"upstream_id\":\"u\"}");
        put("routes/by-service", "{\"uri\":\"/by-service/*\",\"service_id\":\"guarded\"}");
        try (TestGateway gw = gateway()) {
            assertLocked(gw, "/by-config/x");
            assertLocked(gw, "/by-service/x");

            write(gw, () -> put("plugin_configs/auth", "{\"plugins\":{\"header-auth\":{}},\"colour\":\"red\"}"));
            write(gw, () -> put("services/guarded", "{\"plugins\":{\"header-auth\":{}},\"upstream_id\":\"u\",\"colour\":\"red\"}"));
            assertLocked(gw, "/by-config/x");
            assertLocked(gw, "/by-service/x");

            // a plugin config that never had a good version: the route cannot know its plugins
            write(gw, () -> put("plugin_configs/never", "{\"plugins\":{\"header-auth\":{}},\"colour\":\"red\"}"));
            write(gw, () -> put("routes/by-never", "{\"uri\":\"/by-never/*\",\"plugin_config_id\":\"never\",\"upstream_id\":\"u\"}"));
            assertUnavailable(gw, "/by-never/x");
        }
    }

    @Test
    void aGlobalRuleGoneBadKeepsItsLastGoodVersionAndOneWithNoneClosesEveryRoute() throws Exception {
        baseline();
        put("global_rules/auth", "{\"plugins\":{\"header-auth\":{}}}");
        try (TestGateway gw = gateway()) {
            assertEquals(401, get(gw, "/anything", null).statusCode());
            assertEquals("open", TestGateway.json(get(gw, "/anything", TOKEN)).get("server").asText());

            write(gw, () -> put("global_rules/auth", "{\"plugins\":{\"header-auth\":{}},\"colour\":\"red\"}"));
            assertEquals(401, get(gw, "/anything", null).statusCode());
            assertEquals(200, get(gw, "/anything", TOKEN).statusCode());

            write(gw, () -> put("global_rules/never", "{\"plugins\":{\"header-auth\":{}},\"colour\":\"red\"}"));
            assertUnavailable(gw, "/anything");
        }
    }

    private static HttpResponse<String> admin(TestGateway gw, String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway().adminAddress().getPort()
                        + "/apisix/admin" + path))
                .header("X-API-KEY", ADMIN_KEY).method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
