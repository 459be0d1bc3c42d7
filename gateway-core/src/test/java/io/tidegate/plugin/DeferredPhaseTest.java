package io.tidegate.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.UpstreamServer;
import io.tidegate.testplugins.DeferringPlugin;
import io.tidegate.testplugins.RecorderPlugin;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Plugins that decide later (PhaseResult.after / later) without holding an IO thread. */
class DeferredPhaseTest {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @TempDir
    Path root;

    private TestGateway gateway() throws Exception {
        Path plugins = Files.createDirectories(root.resolve("plugins"));
        TestPluginJars.install(plugins, "deferring.jar", "deferring", "1", DeferringPlugin.class, RecorderPlugin.class);
        return TestGateway.start("""
                tidegate:
                  threads: 1
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                routes:
                  - { id: 1, uri: /after, plugins: { deferring: { mode: after, millis: 400 }, recorder: { tag: r } }, upstream: { nodes: { "%2$s": 1 } } }
                  - { id: 2, uri: /later, plugins: { deferring: { mode: later, millis: 50 } }, upstream: { nodes: { "%2$s": 1 } } }
                  - { id: 3, uri: /fail, plugins: { deferring: { mode: fail, millis: 50 } }, upstream: { nodes: { "%2$s": 1 } } }
                  - { id: 4, uri: /reject, plugins: { deferring: { mode: reject, millis: 50 } }, upstream: { nodes: { "%2$s": 1 } } }
                  - { id: 5, uri: /plain, upstream: { nodes: { "%2$s": 1 } } }
                """.formatted(plugins, upstream.address()));
    }

    @Test
    void delayedRequestProceedsAfterTheDelayAndTheNextPluginsRun() throws Exception {
        try (TestGateway gw = gateway()) {
            long start = System.nanoTime();
            HttpResponse<String> response = gw.get("/after");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, response.statusCode());
            assertTrue(millis >= 400, "waited " + millis + " ms");
            assertEquals("recorder/r:rewrite,recorder/r:access,recorder/r:before_proxy,recorder/r:header_filter",
                    response.headers().firstValue("X-Trace-Response").orElseThrow(), "plugins after the deferring one still ran");
        }
    }

    @Test
    void aWaitingRequestDoesNotHoldTheOnlyIoThread() throws Exception {
        try (TestGateway gw = gateway()) {
            CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> gw.get("/after"));
            Thread.sleep(100); // the slow one is now parked
            long start = System.nanoTime();
            assertEquals(200, gw.get("/plain").statusCode());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 250, "served while the other request waited: " + millis + " ms");
            assertEquals(200, slow.get().statusCode());
        }
    }

    @Test
    void laterOutcomesFromAnotherThread() throws Exception {
        try (TestGateway gw = gateway()) {
            assertEquals(200, gw.get("/later").statusCode());
            HttpResponse<String> rejected = gw.get("/reject");
            assertEquals(429, rejected.statusCode());
            assertEquals("{\"error_msg\":\"later no\"}\n", rejected.body());
            HttpResponse<String> failed = gw.get("/fail");
            assertEquals(500, failed.statusCode());
            assertEquals("{\"error_msg\":\"500 Internal Server Error\"}\n", failed.body());
            assertEquals(200, gw.get("/plain").statusCode());
        }
    }
}
