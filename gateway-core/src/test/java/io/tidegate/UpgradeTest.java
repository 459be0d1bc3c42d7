package io.tidegate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.tidegate.testing.FreePort;
import io.tidegate.testing.GrpcTestServer;
import io.tidegate.testing.RawHttp;
import io.tidegate.testing.TempDirs;
import io.tidegate.testing.UpstreamServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --upgrade} between real gateway processes: the newer one binds the same ports, the running
 * one hands them over, finishes what it serves and exits 0, while clients on kept-alive connections,
 * clients opening a connection per request and gRPC clients on HTTP/2 see no failure.
 */
class UpgradeTest {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");
    static GrpcTestServer grpc;

    @BeforeAll
    static void startGrpc() {
        grpc = GrpcTestServer.start();
    }

    @AfterAll
    static void stopGrpc() {
        grpc.close();
    }

    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    private static Process gateway(Path dir, Path config, String log, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-cp", System.getProperty("java.class.path"),
                "io.tidegate.Main", "-c", config.toString()));
        command.addAll(List.of(extra));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
    }

    private static Path config(Path dir, int port, int adminPort) throws IOException {
        return config(dir, port, 0, adminPort);
    }

    /** {@code h2Port}: a listener offering h2c, for the gRPC client; 0 for none. */
    private static Path config(Path dir, int port, int h2Port, int adminPort) throws IOException {
        Path config = dir.resolve("config.yaml");
        String h2 = h2Port == 0 ? "" : ", { address: \"127.0.0.1:" + h2Port + "\", offer_h2: true }";
        Files.writeString(config, """
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:%d" }%s]
                  status: { address: "127.0.0.1:%d" }
                  pid_file: run/tidegate.pid
                  upgrade_sock: run/upgrade.sock
                  shutdown_grace: 10
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                  - { id: 2, uri: "/test.Echo/*", upstream: { scheme: grpc, nodes: { "127.0.0.1:%d": 1 } } }
                """.formatted(port, h2, adminPort, upstream.address(), grpc.port()));
        return config;
    }

    private static long awaitPid(Path pidFile, Process process, long notThis) throws Exception {
        for (int i = 0; ; i++) {
            if (Files.exists(pidFile)) {
                String text = Files.readString(pidFile).trim();
                if (!text.isEmpty() && Long.parseLong(text) != notThis) {
                    return Long.parseLong(text);
                }
            }
            assertTrue(i < 600 && process.isAlive(), "the gateway did not start");
            Thread.sleep(50);
        }
    }

    /** Requests sent without pause from several threads until stopped; every failure is kept with its reason. */
    private static final class Load implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger ok = new AtomicInteger();
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        final List<Thread> threads = new ArrayList<>();
        final List<ManagedChannel> channels = new ArrayList<>();

        Load(int port, int h2Port) {
            this(port, h2Port, "/kept");
        }

        Load(int port, int h2Port, String path) {
            if (h2Port > 0) {
                // gRPC: two threads multiplexing calls on one HTTP/2 connection, which the old
                // gateway ends with GOAWAY once it has no call in progress
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", h2Port).usePlaintext().build();
                channels.add(channel);
                for (int i = 0; i < 2; i++) {
                    threads.add(new Thread(() -> {
                        byte[] payload = "upgrade".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        while (running.get()) {
                            try {
                                byte[] answer = ClientCalls.blockingUnaryCall(channel, GrpcTestServer.UNARY,
                                        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), payload);
                                count(java.util.Arrays.equals(payload, answer) ? 200 : 500, "grpc: wrong answer");
                            } catch (StatusRuntimeException e) {
                                failures.add("grpc: " + e.getStatus());
                            }
                        }
                    }));
                }
            }
            HttpClient keptAlive = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            for (int i = 0; i < 3; i++) {
                threads.add(new Thread(() -> {
                    while (running.get()) {
                        try {
                            HttpResponse<String> response = keptAlive.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            count(response.statusCode(), "kept-alive");
                        } catch (IOException | InterruptedException e) {
                            failures.add("kept-alive: " + e);
                        }
                    }
                }));
            }
            for (int i = 0; i < 2; i++) {
                threads.add(new Thread(() -> {
                    while (running.get()) {
                        try {
                            String response = RawHttp.send(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 10_000);
                            count(RawHttp.status(response), "new connection: " + response);
                        } catch (RuntimeException e) {
                            failures.add("new connection: " + e);
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
        }

        private void count(int status, String what) {
            if (status == 200) {
                ok.incrementAndGet();
            } else {
                failures.add(status + " " + what);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(15_000);
            }
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    @Test
    void upgradesTwiceUnderLoadWithoutAFailedRequest() throws Exception {
        Path dir = TempDirs.create("tidegate-upgrade");
        int port = FreePort.pick();
        int statusPort = FreePort.pick();
        int h2Port = FreePort.pick();
        Path config = config(dir, port, h2Port, statusPort);
        Path pidFile = dir.resolve("run/tidegate.pid");
        Process first = gateway(dir, config, "first.log");
        List<Process> all = new ArrayList<>(List.of(first));
        try {
            long firstPid = awaitPid(pidFile, first, -1);
            try (Load load = new Load(port, h2Port)) {
                Thread.sleep(1000);
                HttpClient slowClient = HttpClient.newHttpClient();
                CompletableFuture<HttpResponse<String>> inFlight = slowClient.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/__slow?ms=1500")).build(), HttpResponse.BodyHandlers.ofString());
                Thread.sleep(300);

                Process second = gateway(dir, config, "second.log", "--upgrade");
                all.add(second);
                long secondPid = awaitPid(pidFile, second, firstPid);
                assertEquals(second.pid(), secondPid, "the newer gateway wrote the pid file");
                assertTrue(first.waitFor(20, TimeUnit.SECONDS), "the first gateway exited after the hand-over");
                assertEquals(0, first.exitValue(), Files.readString(dir.resolve("first.log")));
                assertEquals(200, inFlight.get(10, TimeUnit.SECONDS).statusCode(), "the request in flight during the hand-over finished");
                int servedBefore = load.ok.get();
                Thread.sleep(1000);
                assertTrue(load.ok.get() > servedBefore, "the newer gateway serves");

                Process third = gateway(dir, config, "third.log", "--upgrade");
                all.add(third);
                awaitPid(pidFile, third, secondPid);
                assertTrue(second.waitFor(20, TimeUnit.SECONDS), "the second gateway exited after the hand-over");
                assertEquals(0, second.exitValue(), Files.readString(dir.resolve("second.log")));
                Thread.sleep(1000);
                load.close();
                assertEquals(List.of(), List.copyOf(load.failures), "no request failed across two upgrades");
                assertTrue(load.ok.get() > 100, "requests were served: " + load.ok.get());
            }
            String status = RawHttp.send(statusPort, "GET /status/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000);
            assertEquals(200, RawHttp.status(status), "the status listener was handed over too: " + status);
            assertTrue(Files.exists(dir.resolve("run/upgrade.sock")), "the newest gateway listens on upgrade_sock");
        } finally {
            all.forEach(Process::destroyForcibly);
        }
    }

    /**
     * API-driven standalone keeps its configuration in memory (no state_file): the running gateway
     * hands it over, so the newer one serves it from its first request on.
     */
    @Test
    void theAdminApisConfigurationInMemoryIsHandedOver() throws Exception {
        Path dir = TempDirs.create("tidegate-upgrade");
        int port = FreePort.pick();
        int adminPort = FreePort.pick();
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:%d" }]
                  admin: { address: "127.0.0.1:%d", api_key: upgrade-admin-key }
                  upgrade_sock: run/upgrade.sock
                  pid_file: run/tidegate.pid
                  shutdown_grace: 5
                """.formatted(port, adminPort));
        Process first = gateway(dir, config, "first.log");
        Process second = null;
        try {
            long firstPid = awaitPid(dir.resolve("run/tidegate.pid"), first, -1);
            HttpClient client = HttpClient.newHttpClient();
            String routes = "{\"routes\":[{\"id\":\"r1\",\"uri\":\"/kept\",\"upstream\":{\"nodes\":{\"" + upstream.address()
                    + "\":1}}}]}";
            HttpResponse<String> put = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/apisix/admin/configs"))
                    .PUT(HttpRequest.BodyPublishers.ofString(routes)).header("X-API-KEY", "upgrade-admin-key")
                    .header("X-Digest", "handed-over").header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, put.statusCode(), put.body());
            assertEquals(200, RawHttp.status(RawHttp.send(port, "GET /kept HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000)));

            try (Load load = new Load(port, 0, "/kept")) {
                second = gateway(dir, config, "second.log", "--upgrade");
                awaitPid(dir.resolve("run/tidegate.pid"), second, firstPid);
                assertTrue(first.waitFor(20, TimeUnit.SECONDS), "the first gateway exited");
                Thread.sleep(500);
                load.close();
                assertEquals(List.of(), List.copyOf(load.failures), "no request failed: the newer gateway served the route at once");
            }
            HttpResponse<String> read = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/apisix/admin/configs"))
                    .header("X-API-KEY", "upgrade-admin-key").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("handed-over", read.headers().firstValue("X-Digest").orElse(null), read.body());
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
            }
        }
    }

    @Test
    void aSecondGatewayWithoutUpgradeIsRefusedAndTheRunningOneKeepsItsPorts() throws Exception {
        Path dir = TempDirs.create("tidegate-upgrade");
        int port = FreePort.pick();
        Path config = config(dir, port, FreePort.pick());
        Process running = gateway(dir, config, "running.log");
        try {
            awaitPid(dir.resolve("run/tidegate.pid"), running, -1);
            Process second = gateway(dir, config, "second.log");
            assertTrue(second.waitFor(30, TimeUnit.SECONDS), "the second gateway gave up");
            assertEquals(1, second.exitValue());
            String log = Files.readString(dir.resolve("second.log"));
            assertTrue(log.contains("a gateway is running with upgrade_sock") && log.contains("--upgrade"), log);
            assertTrue(running.isAlive());
            assertEquals(200, RawHttp.status(RawHttp.send(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000)));
        } finally {
            running.destroyForcibly();
        }
    }

    @Test
    void upgradeWithoutAnUpgradeSocketIsAUsageError() throws Exception {
        Path dir = TempDirs.create("tidegate-upgrade");
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "tidegate: { listeners: [{ address: \"127.0.0.1:0\" }] }\nroutes: []\n");
        Process process = gateway(dir, config, "gateway.log", "--upgrade");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue());
        assertTrue(Files.readString(dir.resolve("gateway.log")).contains("--upgrade needs tidegate.upgrade_sock"));
    }
}
