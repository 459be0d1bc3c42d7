package io.tidegate.plugin;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.Gateway;
import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigLoader;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.UpstreamServer;
import io.tidegate.testplugins.EarlyRecorderPlugin;
import io.tidegate.testplugins.HeaderAuthPlugin;
import io.tidegate.testplugins.RecorderPlugin;
import io.tidegate.testplugins.Sink;
import io.tidegate.testplugins.ThrowingPlugin;
import io.tidegate.testplugins.VersionedPluginV1;
import io.tidegate.testplugins.VersionedPluginV2;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Plugin jars loaded, replaced and removed while the real gateway serves; phases and ordering. */
class PluginSystemTest {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @TempDir
    Path root;
    Path plugins;

    @BeforeEach
    void pluginFolder() throws IOException {
        plugins = Files.createDirectories(root.resolve("plugins"));
        Sink.events().clear();
    }

    private String server(String extra) {
        return """
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  plugin_grace: 0.2
                %s""".formatted(plugins, extra);
    }

    private TestGateway gateway(String resources) {
        return TestGateway.start(server(resources));
    }

    private static String versionOf(HttpResponse<String> response) {
        return response.headers().firstValue("X-Plugin-Version").orElse("none");
    }

    private static HttpResponse<String> waitFor(TestGateway gw, String path, java.util.function.Predicate<HttpResponse<String>> until,
                                                long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        HttpResponse<String> last = gw.get(path);
        while (!until.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            last = gw.get(path);
        }
        return last;
    }

    @Test
    void jarDroppedInWhileServingIsUsedWithinTwoSeconds() throws Exception {
        try (TestGateway gw = gateway("""
                routes:
                  - { id: 1, uri: "/*", plugins: { versioned: {} }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()))) {
            HttpResponse<String> before = gw.get("/p");
            assertEquals(503, before.statusCode());
            assertEquals("{\"error_msg\":\"plugin versioned is not loaded\"}\n", before.body());

            long start = System.nanoTime();
            TestPluginJars.install(plugins, "versioned.jar", "versioned", "1.0.0", VersionedPluginV1.class);
            HttpResponse<String> after = waitFor(gw, "/p", r -> r.statusCode() == 200, 5000);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, after.statusCode());
            assertEquals("1", versionOf(after));
            assertTrue(tookMillis < 2000, "serving with the new plugin took " + tookMillis + " ms");
        }
    }

    @Test
    void jarReplacedUnderLoadSwitchesBehaviourWithoutAFailedRequest() throws Exception {
        TestPluginJars.install(plugins, "versioned.jar", "versioned", "1.0.0", VersionedPluginV1.class);
        try (TestGateway gw = gateway("""
                routes:
                  - { id: 1, uri: "/*", plugins: { versioned: {} }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()))) {
            assertEquals("1", versionOf(gw.get("/load")));
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger failures = new AtomicInteger();
            AtomicInteger requests = new AtomicInteger();
            Set<String> seen = ConcurrentHashMap.newKeySet();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread client = new Thread(() -> {
                    while (running.get()) {
                        HttpResponse<String> r = gw.get("/load");
                        requests.incrementAndGet();
                        if (r.statusCode() != 200) {
                            failures.incrementAndGet();
                        }
                        seen.add(versionOf(r));
                    }
                });
                client.start();
                clients.add(client);
            }
            Thread.sleep(300);
            TestPluginJars.install(plugins, "versioned.jar", "versioned", "2.0.0", VersionedPluginV2.class);
            HttpResponse<String> switched = waitFor(gw, "/load", r -> "2".equals(versionOf(r)), 5000);
            Thread.sleep(300);
            running.set(false);
            for (Thread client : clients) {
                client.join();
            }
            assertEquals("2", versionOf(switched));
            assertEquals(0, failures.get(), "failed requests out of " + requests.get());
            assertEquals(Set.of("1", "2"), seen);
            assertEquals("2.0.0", gw.gateway().plugins().get("versioned").version());
        }
    }

    @Test
    void removedJarMakesItsRoutesAnswer503() throws Exception {
        Path jar = TestPluginJars.install(plugins, "versioned.jar", "versioned", "1.0.0", VersionedPluginV1.class);
        try (TestGateway gw = gateway("""
                routes:
                  - { id: 1, uri: /with, plugins: { versioned: {} }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 2, uri: /without, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()))) {
            assertEquals(200, gw.get("/with").statusCode());
            Files.delete(jar);
            HttpResponse<String> gone = waitFor(gw, "/with", r -> r.statusCode() == 503, 5000);
            assertEquals("{\"error_msg\":\"plugin versioned is not loaded\"}\n", gone.body());
            assertEquals(200, gw.get("/without").statusCode(), "routes without the plugin keep serving");
        }
    }

    @Test
    void oldClassLoadersAreCollectedAfterReloadCycles() throws Exception {
        TestPluginJars.install(plugins, "versioned.jar", "versioned", "0", VersionedPluginV1.class);
        try (TestGateway gw = gateway("""
                routes:
                  - { id: 1, uri: "/*", plugins: { versioned: {} }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()))) {
            List<WeakReference<ClassLoader>> old = new ArrayList<>();
            for (int cycle = 1; cycle <= 5; cycle++) {
                old.add(new WeakReference<>(gw.gateway().plugins().get("versioned").plugin().getClass().getClassLoader()));
                Class<?> next = cycle % 2 == 0 ? VersionedPluginV1.class : VersionedPluginV2.class;
                String expected = cycle % 2 == 0 ? "1" : "2";
                TestPluginJars.install(plugins, "versioned.jar", "versioned", Integer.toString(cycle), next);
                assertEquals(expected, versionOf(waitFor(gw, "/gc", r -> expected.equals(versionOf(r)), 5000)));
            }
            Thread.sleep(500); // past plugin_grace: old versions are unloaded
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (old.stream().anyMatch(ref -> ref.get() != null) && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(100);
            }
            List<Integer> alive = new ArrayList<>();
            for (int i = 0; i < old.size(); i++) {
                if (old.get(i).get() != null) {
                    alive.add(i);
                }
            }
            assertEquals(List.of(), alive, "class loaders still reachable");
            assertEquals(200, gw.get("/gc").statusCode());
        }
    }

    @Test
    void phasesRunInOrderIncludingBodyChunksAndLogAfterCompletion() throws Exception {
        TestPluginJars.install(plugins, "recorder.jar", "recorder", "1", RecorderPlugin.class);
        try (TestGateway gw = gateway("""
                routes:
                  - { id: 1, uri: "/*", plugins: { recorder: { tag: r } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()))) {
            long size = 300_000;
            HttpResponse<String> response = gw.get("/__bytes?n=" + size);
            assertEquals(200, response.statusCode());
            assertEquals(size, response.body().length(), "body filters pass the stream through intact");
            assertEquals("recorder/r:rewrite,recorder/r:access,recorder/r:before_proxy,recorder/r:header_filter",
                    response.headers().firstValue("X-Trace-Response").orElseThrow());
            long deadline = System.currentTimeMillis() + 2000;
            while (!Sink.events().contains("recorder/r:log:200") && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            List<String> events = new ArrayList<>(Sink.events());
            List<String> chunks = events.stream().filter(e -> e.contains(":body_filter:")).toList();
            assertTrue(chunks.size() > 2, "a streamed body arrives in several chunks: " + chunks);
            long total = chunks.stream().mapToLong(e -> Long.parseLong(e.split(":")[2])).sum();
            assertEquals(size, total);
            assertTrue(chunks.get(chunks.size() - 1).endsWith(":last"), chunks.toString());
            assertEquals("recorder/r:log:200", events.get(events.size() - 1), "log runs last, once: " + events);
        }
    }

    @Test
    void orderAcrossGlobalRuleServiceRouteAndConsumer() throws Exception {
        TestPluginJars.install(plugins, "recorders.jar", "recorders", "1", RecorderPlugin.class, EarlyRecorderPlugin.class);
        TestPluginJars.install(plugins, "auth.jar", "auth", "1", HeaderAuthPlugin.class);
        try (TestGateway gw = gateway("""
                global_rules:
                  - { id: g, plugins: { recorder: { tag: global } } }
                services:
                  - id: s
                    plugins: { recorder: { tag: service }, early-recorder: { tag: service } }
                    upstream: { nodes: { "%s": 1 } }
                routes:
                  - { id: 1, uri: /service-only, service_id: s }
                  - { id: 2, uri: /route-wins, service_id: s, plugins: { recorder: { tag: route } } }
                  - { id: 3, uri: /consumer, service_id: s, plugins: { header-auth: {}, recorder: { tag: route } } }
                consumers:
                  - { username: alice, plugins: { header-auth: { token: t-alice }, recorder: { tag: consumer } } }
                  - { username: bob, plugins: { header-auth: { token: t-bob } } }
                """.formatted(upstream.address()))) {
            assertEquals("recorder/global:rewrite,early-recorder/service:rewrite,recorder/service:rewrite",
                    trace(gw.get("/service-only"), "rewrite"), "global rules first, then by priority");
            assertEquals("recorder/global:access,early-recorder/service:access,recorder/route:access",
                    trace(gw.get("/route-wins"), "access"), "the route's recorder replaces the service's");

            HttpResponse<String> alice = gw.send(gw.request("/consumer").header("X-Token", "t-alice").GET().build());
            assertEquals("recorder/global:rewrite,early-recorder/service:rewrite,recorder/route:rewrite,recorder/consumer:rewrite",
                    trace(alice, "rewrite"), "once authenticated, the consumer's own plugins rewrite too (APISIX's rewrite_in_consumer)");
            assertEquals("recorder/global:access,early-recorder/service:access,recorder/consumer:access", trace(alice, "access"),
                    "after authentication the consumer's recorder replaces the route's");
            assertEquals("alice", json(alice).get("headers").get("x-consumer-username").asText());

            HttpResponse<String> bob = gw.send(gw.request("/consumer").header("X-Token", "t-bob").GET().build());
            assertEquals("recorder/global:access,early-recorder/service:access,recorder/route:access", trace(bob, "access"));

            HttpResponse<String> nobody = gw.get("/consumer");
            assertEquals(401, nobody.statusCode());
            assertEquals("{\"message\":\"Invalid token\"}\n", nobody.body());
        }
    }

    @Test
    void disablingAPluginOnTheRouteTurnsOffTheOneItInherits() throws Exception {
        TestPluginJars.install(plugins, "recorders.jar", "recorders", "1", RecorderPlugin.class, EarlyRecorderPlugin.class);
        try (TestGateway gw = gateway("""
                services:
                  - id: s
                    plugins: { recorder: { tag: service }, early-recorder: { tag: service } }
                    upstream: { nodes: { "%s": 1 } }
                routes:
                  - { id: 1, uri: /inherits, service_id: s }
                  - { id: 2, uri: /disables, service_id: s, plugins: { recorder: { _meta: { disable: true } } } }
                """.formatted(upstream.address()))) {
            assertEquals("early-recorder/service:rewrite,recorder/service:rewrite", trace(gw.get("/inherits"), "rewrite"));
            assertEquals("early-recorder/service:rewrite", trace(gw.get("/disables"), "rewrite"),
                    "as in APISIX, the route's _meta.disable switches the service's recorder off");
        }
    }

    @Test
    void globalRulesRunForRequestsNoRouteMatches() throws Exception {
        TestPluginJars.install(plugins, "auth.jar", "auth", "1", HeaderAuthPlugin.class);
        try (TestGateway gw = gateway("""
                global_rules:
                  - { id: g, plugins: { header-auth: {} } }
                routes:
                  - { id: 1, uri: /known, upstream: { nodes: { "%s": 1 } } }
                consumers:
                  - { username: alice, plugins: { header-auth: { token: t-alice } } }
                """.formatted(upstream.address()))) {
            // as in APISIX: a scanner probing paths meets the global rule first, not a 404 that maps the routes
            HttpResponse<String> probe = gw.get("/unknown");
            assertEquals(401, probe.statusCode());
            assertEquals("{\"message\":\"Invalid token\"}\n", probe.body());
            HttpResponse<String> authenticated = gw.send(gw.request("/unknown").header("X-Token", "t-alice").GET().build());
            assertEquals(404, authenticated.statusCode());
            assertEquals("{\"error_msg\":\"404 Route Not Found\"}\n", authenticated.body());
            assertEquals(401, gw.get("/known").statusCode());
        }
    }

    /** The entries of one phase from the trace the recorders sent upstream. */
    private static String trace(HttpResponse<String> response, String phase) {
        assertEquals(200, response.statusCode(), response::body);
        String all = json(response).get("headers").get("x-trace").asText();
        return String.join(",", java.util.Arrays.stream(all.split(",")).filter(e -> e.endsWith(":" + phase)).toList());
    }

    @Test
    void throwingPluginFailsOnlyItsRequestWith500() throws Exception {
        TestPluginJars.install(plugins, "thrower.jar", "thrower", "1", ThrowingPlugin.class);
        try (TestGateway gw = gateway("""
                routes:
                  - { id: 1, uri: /access, plugins: { thrower: { phase: access } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 2, uri: /header, plugins: { thrower: { phase: header_filter } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 3, uri: /fine, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()))) {
            int before = upstream.requestCount();
            HttpResponse<String> failed = gw.get("/access");
            assertEquals(500, failed.statusCode());
            assertEquals("{\"error_msg\":\"500 Internal Server Error\"}\n", failed.body());
            assertEquals(before, upstream.requestCount(), "a failing access phase never reaches the upstream");
            assertEquals(200, gw.get("/header").statusCode(), "a failing header filter is logged, the response goes on");
            assertEquals(200, gw.get("/fine").statusCode());
            assertEquals(500, gw.get("/access").statusCode(), "and the gateway keeps serving");
        }
    }

    @Test
    void invalidPluginConfigRejectsTheVersionWithItsPath() throws Exception {
        TestPluginJars.install(plugins, "recorder.jar", "recorder", "1", RecorderPlugin.class);
        Path config = TestGateway.write(server("""
                routes:
                  - { id: 1, uri: /a, plugins: { recorder: { tag: 7 } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address())));
        ConfigException e = assertThrows(ConfigException.class, () -> Gateway.start(new ConfigLoader().load(config)));
        assertEquals(List.of("routes[0].plugins.recorder.tag: must be a string"), e.errors());

        try (TestGateway gw = gateway("""
                routes:
                  - { id: 1, uri: /a, plugins: { recorder: { tag: ok } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()))) {
            var broken = new ConfigLoader().load(TestGateway.write(server("""
                    routes:
                      - { id: 1, uri: /a, plugins: { recorder: {} }, upstream: { nodes: { "%s": 1 } } }
                    """.formatted(upstream.address())))).resources();
            ConfigException rejected = assertThrows(ConfigException.class, () -> gw.gateway().apply(broken));
            assertEquals(List.of("routes[0].plugins.recorder.tag: is required (a string)"), rejected.errors());
            assertEquals(200, gw.get("/a").statusCode(), "the previous version keeps serving");
        }
    }

    @Test
    void statusListsLoadedPluginsWithVersions() throws Exception {
        TestPluginJars.install(plugins, "versioned.jar", "versioned", "3.1.4", VersionedPluginV1.class);
        try (TestGateway gw = gatewayWithStatus("""
                routes: []
                """)) {
            assertEquals(List.of(Map.of("name", "versioned", "priority", 500, "plugin_id", "versioned", "version", "3.1.4", "jar", "versioned.jar")),
                    statusPlugins(gw));
        }
    }

    @Test
    void jarDescribedByPluginPropertiesLoadsAsOneDescribedByItsManifest() throws Exception {
        // PF4J's other descriptor form: the gateway reads a jar's manifest first, and falls back to it
        TestPluginJars.installDescribedByProperties(plugins, "by-properties.jar", "by-properties", "2.7.1", VersionedPluginV1.class);
        TestPluginJars.install(plugins, "recorder.jar", "recorder", "1.5", RecorderPlugin.class);
        try (TestGateway gw = gatewayWithStatus("""
                routes:
                  - { id: v, uri: /v, plugins: { versioned: {} }, upstream: { nodes: { "%s": 1 } } }
                  - { id: r, uri: /r, plugins: { recorder: { tag: r } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address(), upstream.address()))) {
            HttpResponse<String> described = gw.get("/v");
            assertEquals(200, described.statusCode(), described.body());
            assertEquals("1", versionOf(described));
            assertEquals(200, gw.get("/r").statusCode());
            Map<Object, Object> versions = new java.util.TreeMap<>();
            statusPlugins(gw).forEach(plugin -> versions.put(plugin.get("plugin_id"), plugin.get("version")));
            assertEquals(Map.of("by-properties", "2.7.1", "recorder", "1.5"), versions);
        }
    }

    @Test
    void gatewaysSharingARegistryLoadEachJarOnceAndEachFollowsTheFolder() throws Exception {
        TestPluginJars.install(plugins, "versioned.jar", "versioned", "1.0.0", VersionedPluginV1.class);
        String routes = """
                routes:
                  - { id: 1, uri: "/*", plugins: { versioned: {} }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address());
        try (PluginRegistry registry = new PluginRegistry(plugins, 200)) {
            registry.sync();
            try (TestGateway first = TestGateway.start(server(routes), registry)) {
                try (TestGateway second = TestGateway.start(server(routes), registry)) {
                    assertSame(first.gateway().plugins().get("versioned"), second.gateway().plugins().get("versioned"),
                            "the jar was loaded again");
                    assertEquals("1", versionOf(second.get("/p")));
                    // a new version: whichever gateway's watch syncs first, both serve it
                    TestPluginJars.install(plugins, "versioned.jar", "versioned", "2.0.0", VersionedPluginV2.class);
                    assertEquals("2", versionOf(waitFor(first, "/p", r -> "2".equals(versionOf(r)), 5000)));
                    assertEquals("2", versionOf(waitFor(second, "/p", r -> "2".equals(versionOf(r)), 5000)));
                }
                // closing a gateway leaves the registry it borrowed open for the others
                assertEquals("2", versionOf(first.get("/p")));
                assertEquals("2.0.0", registry.catalog().get("versioned").version());
            }
            assertEquals("2.0.0", registry.catalog().get("versioned").version(), "the registry outlives the gateways");
        }
    }

    @Test
    void aRegistryOfAnotherFolderIsRefused() throws Exception {
        try (PluginRegistry elsewhere = new PluginRegistry(root.resolve("elsewhere"), 0)) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> TestGateway.start(server("routes: []"), elsewhere));
            assertTrue(refused.getMessage().contains("plugins_dir is " + plugins), refused.getMessage());
        }
    }

    /** A gateway on {@link #server} with the status listener on too. */
    private TestGateway gatewayWithStatus(String resources) {
        return TestGateway.start(server(resources).replace("listeners: [{ address: \"127.0.0.1:0\" }]",
                "listeners: [{ address: \"127.0.0.1:0\" }]\n  status: { address: \"127.0.0.1:0\" }"));
    }

    /** The plugins {@code GET /status/plugins} lists, each as its JSON fields. */
    private static List<Map<?, ?>> statusPlugins(TestGateway gw) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + gw.gateway().statusAddress().getPort() + "/status/plugins")).build(),
                HttpResponse.BodyHandlers.ofString());
        List<Map<?, ?>> plugins = new ArrayList<>();
        for (Object plugin : (List<?>) new com.fasterxml.jackson.databind.ObjectMapper().readValue(response.body(), Map.class).get("plugins")) {
            plugins.add((Map<?, ?>) plugin);
        }
        return plugins;
    }
}
