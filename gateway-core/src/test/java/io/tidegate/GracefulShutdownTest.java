package io.tidegate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.FreePort;
import io.tidegate.testing.UpstreamServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM to a real gateway process: requests in flight finish, new ones are turned away, exit 0. */
class GracefulShutdownTest {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");

    @Test
    void sigtermLetsRequestsInFlightFinishThenExitsZeroAndRemovesThePidFile(@TempDir Path dir) throws Exception {
        int port = FreePort.pick();
        Path pidFile = dir.resolve("run/tidegate.pid");
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:%d" }]
                  pid_file: run/tidegate.pid
                  shutdown_grace: 10
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                """.formatted(port, upstream.address()));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process gateway = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "io.tidegate.Main", "-c", config.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("gateway.log").toFile()).start();
        try {
            for (int i = 0; !Files.exists(pidFile); i++) {
                assertTrue(i < 300 && gateway.isAlive(), "the gateway did not start");
                Thread.sleep(50);
            }
            assertEquals(gateway.pid(), Long.parseLong(Files.readString(pidFile).trim()));

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            CompletableFuture<HttpResponse<String>> slow = client.sendAsync(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/__slow?ms=2000")).build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(500); // the slow request is with the upstream now
            gateway.destroy(); // SIGTERM
            Thread.sleep(300);
            String refused = io.tidegate.testing.RawHttp.send(port, "GET /new HTTP/1.1\r\nHost: x\r\n\r\n", 2000);
            assertEquals(503, io.tidegate.testing.RawHttp.status(refused), "new requests are turned away while draining");
            assertTrue(refused.contains("Connection: close"), refused);

            HttpResponse<String> finished = slow.get(10, TimeUnit.SECONDS);
            assertEquals(200, finished.statusCode(), "the request in flight finished");
            assertTrue(gateway.waitFor(15, TimeUnit.SECONDS), "the gateway exited");
            assertEquals(0, gateway.exitValue(), Files.readString(dir.resolve("gateway.log")));
            assertFalse(Files.exists(pidFile), "pid file removed");
        } finally {
            gateway.destroyForcibly();
        }
    }
}
