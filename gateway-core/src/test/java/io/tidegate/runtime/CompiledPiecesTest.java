package io.tidegate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.config.ConfigLoader;
import io.tidegate.config.Resources;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.UpstreamServer;
import io.tidegate.testplugins.LifecyclePlugin;
import io.tidegate.testplugins.Sink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new version compiles only what changed: the routes that did not change keep their plugin
 * instances, and an instance is closed once, when no version uses it any more.
 */
class CompiledPiecesTest {
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

    private static String config(String tagA, String tagB) {
        return """
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  plugin_grace: 0.1
                routes:
                  - { id: a, uri: /a, plugins: { lifecycle: { tag: %s } }, upstream_id: u }
                  - { id: b, uri: /b, plugins: { lifecycle: { tag: %s } }, upstream_id: u }
                upstreams:
                  - { id: u, nodes: { "%s": 1 } }
                """.formatted(plugins, tagA, tagB, upstream.address());
    }

    private static Resources resources(String tagA, String tagB) throws Exception {
        return new ConfigLoader().load(TestGateway.write(config(tagA, tagB))).resources();
    }

    private static long count(String event) {
        return new ArrayList<>(Sink.events()).stream().filter(event::equals).count();
    }

    private static void await(String event) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (count(event) == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(event + " did not happen: " + Sink.events());
            }
            Thread.sleep(5);
        }
    }

    @Test
    void aChangedRouteGetsNewPluginsAndTheOthersKeepTheirsUntilNoVersionUsesThem() throws Exception {
        try (TestGateway gw = TestGateway.start(config("a1", "b1"))) {
            assertEquals(200, gw.get("/a").statusCode());
            gw.gateway().apply(resources("a1", "b2"));
            assertEquals(List.of(1L, 1L, 1L), List.of(count("lifecycle/a1:create"), count("lifecycle/b1:create"),
                    count("lifecycle/b2:create")), "only the changed route's plugin is created again: " + Sink.events());
            await("lifecycle/b1:close");  // with the version that used it
            Thread.sleep(300);
            assertEquals(0, count("lifecycle/a1:close"), "the serving version still uses a1: " + Sink.events());
            assertEquals(200, gw.get("/a").statusCode());
            assertEquals(2, count("lifecycle/a1:access"), "the same instance serves route a in both versions");

            gw.gateway().apply(resources("a2", "b2"));
            await("lifecycle/a1:close");
            assertEquals(0, count("lifecycle/b2:close"));
        }
        assertEquals(List.of(1L, 1L, 1L, 1L), List.of(count("lifecycle/a1:close"), count("lifecycle/b1:close"),
                count("lifecycle/a2:close"), count("lifecycle/b2:close")), "each closed exactly once: " + Sink.events());
    }
}
