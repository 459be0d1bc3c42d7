package io.tidegate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.config.ConfigLoader;
import io.tidegate.config.Resources;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.UpstreamServer;
import io.tidegate.testplugins.LifecyclePlugin;
import io.tidegate.testplugins.Sink;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replaced configuration version keeps its plugins open exactly while requests that started on
 * it run, and closes them the moment the last one ends, not after {@code plugin_grace} (60 s here,
 * far longer than any wait below).
 */
class VersionLifetimeTest {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");
    @TempDir
    static Path pluginRoot;
    private static Path plugins;

    @BeforeAll
    static void lifecyclePlugin() throws Exception {
        plugins = Files.createDirectories(pluginRoot.resolve("plugins"));
        TestPluginJars.install(plugins, "lifecycle.jar", "lifecycle", "1", LifecyclePlugin.class);
    }

    @BeforeEach
    void clearEvents() {
        Sink.events().clear();
    }

    private static String config(String tag) {
        return """
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  plugin_grace: 60
                routes:
                  - { id: r, uri: "/*", plugins: { lifecycle: { tag: %s } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(plugins, tag, upstream.address());
    }

    private static Resources resources(String tag) throws Exception {
        return new ConfigLoader().load(TestGateway.write(config(tag))).resources();
    }

    private static List<String> events() {
        return new ArrayList<>(Sink.events());
    }

    /** Waits until the event is recorded; returns how many milliseconds that took. */
    private static long await(String event, long timeoutMillis) throws InterruptedException {
        long start = System.nanoTime();
        while (!Sink.events().contains(event)) {
            assertTrue(System.nanoTime() - start < timeoutMillis * 1_000_000, event + " not within " + timeoutMillis + " ms: " + events());
            Thread.sleep(2);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void aReplacedVersionClosesWhenItsLastRequestEndsAndNotBefore() throws Exception {
        try (TestGateway gw = TestGateway.start(config("v1"))) {
            CompletableFuture<HttpResponse<String>> slow = HttpClient.newHttpClient()
                    .sendAsync(gw.request("/__slow?ms=1500").GET().build(), HttpResponse.BodyHandlers.ofString());
            await("lifecycle/v1:access", 5000);
            gw.gateway().apply(resources("v2"));
            assertEquals(200, gw.get("/quick").statusCode());
            assertTrue(events().contains("lifecycle/v2:access"), "new requests run on the new version: " + events());

            Thread.sleep(500);
            assertFalse(events().contains("lifecycle/v1:close"), "closed under a request still running: " + events());
            assertEquals(200, slow.get(10, TimeUnit.SECONDS).statusCode());
            long closedAfter = await("lifecycle/v1:close", 2000);
            List<String> seen = events();
            assertTrue(seen.indexOf("lifecycle/v1:log") < seen.indexOf("lifecycle/v1:close"),
                    "the log phase runs while the plugins are open: " + seen);
            assertFalse(seen.contains("lifecycle/v2:close"), "the serving version stays open: " + seen);

            // no request holds v2 when v3 replaces it: it closes at once
            gw.gateway().apply(resources("v3"));
            long unheld = await("lifecycle/v2:close", 2000);
            System.out.printf("replaced version closed %d ms after its last request ended; an unheld one %d ms after the swap%n",
                    closedAfter, unheld);
        }
    }

    private static String twoRoutes(String slowTag, String otherTag) {
        return """
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  plugin_grace: 60
                routes:
                  - { id: slow, uri: /__slow, plugins: { lifecycle: { tag: %s } }, upstream_id: u }
                  - { id: other, uri: "/*", plugins: { lifecycle: { tag: %s } }, upstream_id: u }
                upstreams:
                  - { id: u, nodes: { "%s": 1 } }
                """.formatted(plugins, slowTag, otherTag, upstream.address());
    }

    private static long count(String event) {
        return events().stream().filter(event::equals).count();
    }

    /**
     * A version reuses the plugin instances of the routes that did not change, and each instance
     * closes when the last version using it does: not when an older version that shared it closes.
     */
    @Test
    void unchangedRoutesKeepTheirPluginsAcrossVersionsAndEachClosesWithItsLastVersion() throws Exception {
        try (TestGateway gw = TestGateway.start(twoRoutes("slow-1", "other-1"))) {
            CompletableFuture<HttpResponse<String>> slow = HttpClient.newHttpClient()
                    .sendAsync(gw.request("/__slow?ms=1500").GET().build(), HttpResponse.BodyHandlers.ofString());
            await("lifecycle/slow-1:access", 5000);
            // version 2 changes the slow route only
            gw.gateway().apply(new ConfigLoader().load(TestGateway.write(twoRoutes("slow-2", "other-1"))).resources());
            assertEquals(1, count("lifecycle/other-1:create"), "the unchanged route's plugin is reused: " + events());
            assertEquals(200, gw.get("/elsewhere").statusCode());

            assertEquals(200, slow.get(10, TimeUnit.SECONDS).statusCode());
            await("lifecycle/slow-1:close", 2000);  // version 1 closed with its last request...
            Thread.sleep(200);
            assertEquals(0, count("lifecycle/other-1:close"), "...but version 2 still uses other-1: " + events());

            // version 3 changes the other route; version 2, held by nothing, closes at once
            gw.gateway().apply(new ConfigLoader().load(TestGateway.write(twoRoutes("slow-2", "other-2"))).resources());
            await("lifecycle/other-1:close", 2000);
            assertEquals(1, count("lifecycle/slow-2:create"));
            assertEquals(0, count("lifecycle/slow-2:close"), "version 3 still uses slow-2: " + events());
            assertEquals(200, gw.get("/elsewhere").statusCode());
            assertTrue(events().contains("lifecycle/other-2:access"));
        }
        assertEquals(1, count("lifecycle/slow-2:close"), "closed once, when the gateway stopped: " + events());
        assertEquals(1, count("lifecycle/other-1:close"));
    }

    @Test
    void aClientThatGoesAwayMidRequestLetsItsVersionClose() throws Exception {
        try (TestGateway gw = TestGateway.start(config("v1"))) {
            try (Socket client = new Socket("127.0.0.1", gw.port())) {
                OutputStream out = client.getOutputStream();
                out.write("GET /__slow?ms=1000 HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                await("lifecycle/v1:access", 5000);
            }
            gw.gateway().apply(resources("v2"));
            await("lifecycle/v1:close", 5000);
        }
    }

    @Test
    void manyReplacedVersionsWithoutRequestsAreAllClosed() throws Exception {
        try (TestGateway gw = TestGateway.start(config("v0"))) {
            for (int i = 1; i <= 20; i++) {
                gw.gateway().apply(resources("v" + i));
            }
            for (int i = 0; i < 20; i++) {
                await("lifecycle/v" + i + ":close", 2000);
            }
            assertFalse(events().contains("lifecycle/v20:close"));
        }
    }
}
