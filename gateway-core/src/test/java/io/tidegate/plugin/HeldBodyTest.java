package io.tidegate.plugin;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A body one plugin reads whole (readBody) still reaches the upstream unchanged, and a plugin that
 * asked only for the first bytes of the body (a logger's cap) sees no more than those.
 */
public class HeldBodyTest {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    /** What the peeker saw in its log phase, in order (public: the plugin runs in its own class loader). */
    public static final LinkedBlockingQueue<Integer> PEEKED = new LinkedBlockingQueue<>();

    @TempDir
    Path root;

    @Test
    void aLoggerSeesOnlyItsCapOfABodyAnotherPluginHeld() throws Exception {
        Path plugins = Files.createDirectories(root.resolve("plugins"));
        TestPluginJars.install(plugins, "held.jar", "held", "1", WholeBodyReaderPlugin.class, BodyPeekerPlugin.class);
        try (TestGateway gw = TestGateway.start("""
                tidegate:
                  threads: 1
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                routes:
                  - { id: 1, uri: /held, plugins: { whole-body-reader: {}, body-peeker: {} }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(plugins, upstream.address()))) {
            String body = "0123456789".repeat(10);
            HttpResponse<String> response = gw.send(gw.request("/held").POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(100, json(response).get("body_bytes").asInt(), "the held body went upstream whole");
            assertEquals(8, PEEKED.poll(5, TimeUnit.SECONDS), "the peeker asked for 8 bytes and got 8, not the 100 held");
        }
    }
}
