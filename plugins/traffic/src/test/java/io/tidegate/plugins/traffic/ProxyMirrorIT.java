package io.tidegate.plugins.traffic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** proxy-mirror end to end: what the mirror gets, and that a dead or slow mirror costs the client nothing. */
class ProxyMirrorIT {
    /** What one server received: method, path and query, Host, a header, the body's length and digest. */
    record Received(String method, String uri, String host, String trace, long length, byte[] sha256) {}

    private HttpServer upstream;
    private HttpServer mirror;
    private final BlockingQueue<Received> upstreamGot = new LinkedBlockingQueue<>();
    private final BlockingQueue<Received> mirrorGot = new LinkedBlockingQueue<>();

    private static HttpServer recording(BlockingQueue<Received> into, String answer) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            MessageDigest digest = sha256();
            long length = 0;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] buffer = new byte[65536];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                    length += n;
                }
            }
            into.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Host"), exchange.getRequestHeaders().getFirst("X-Trace"), length, digest.digest()));
            byte[] body = answer.getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void start() throws IOException {
        upstream = recording(upstreamGot, "from upstream");
        mirror = recording(mirrorGot, "from mirror");
    }

    @AfterEach
    void stop() {
        upstream.stop(0);
        mirror.stop(0);
    }

    private TestGateway gateway(String mirrorHost, String extra) {
        return PluginGateway.startWithMetrics("""
                routes:
                  - id: 1
                    uri: /api/*
                    plugins:
                      proxy-mirror: { host: "%s" %s }
                    upstream: { nodes: { "127.0.0.1:%d": 1 } }
                """.formatted(mirrorHost, extra, upstream.getAddress().getPort()));
    }

    private String mirrorHost() {
        return "http://127.0.0.1:" + mirror.getAddress().getPort();
    }

    private static long dropped(TestGateway gw) {
        Matcher m = Pattern.compile("tidegate_plugin_entries_dropped_total\\{plugin=\"proxy-mirror\"[^}]*\\} ([0-9.eE+]+)").matcher(gw.metrics());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void theMirrorGetsWhatTheUpstreamGetsAndItsAnswerIsThrownAway() throws Exception {
        try (TestGateway gw = gateway(mirrorHost(), "")) {
            byte[] body = new byte[5 << 20];
            new java.util.Random(7).nextBytes(body);
            HttpResponse<String> response = gw.send(gw.request("/api/upload?x=1").header("Host", "shop.example")
                    .header("X-Trace", "t-1").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
            assertEquals(200, response.statusCode());
            assertEquals("from upstream", response.body());
            Received main = upstreamGot.poll(5, TimeUnit.SECONDS);
            Received copy = mirrorGot.poll(5, TimeUnit.SECONDS);
            assertNotNull(copy, "the mirror got the request");
            assertEquals(List.of("POST", "/api/upload?x=1", "shop.example", "t-1"), List.of(copy.method(), copy.uri(), copy.host(), copy.trace()));
            assertEquals(body.length, copy.length());
            assertArrayEquals(sha256().digest(body), copy.sha256(), "the same body, byte for byte");
            assertArrayEquals(main.sha256(), copy.sha256());
        }
    }

    @Test
    void pathReplacesOrPrefixesTheUpstreamsPath() throws Exception {
        try (TestGateway gw = gateway(mirrorHost(), ", path: /shadow")) {
            assertEquals(200, gw.get("/api/a?b=1").statusCode());
            assertEquals("/shadow?b=1", mirrorGot.poll(5, TimeUnit.SECONDS).uri());
        }
        try (TestGateway gw = gateway(mirrorHost(), ", path: /shadow, path_concat_mode: prefix")) {
            assertEquals(200, gw.get("/api/a?b=1").statusCode());
            assertEquals("/shadow/api/a?b=1", mirrorGot.poll(5, TimeUnit.SECONDS).uri());
        }
    }

    @Test
    void aDeadMirrorCostsTheClientNothingAndIsCounted() throws Exception {
        int dead;
        try (ServerSocket closed = new ServerSocket(0)) {
            dead = closed.getLocalPort();
        }
        try (TestGateway gw = gateway("http://127.0.0.1:" + dead, "")) {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> response = gw.get("/api/x");
                assertEquals(200, response.statusCode());
                assertEquals("from upstream", response.body());
            }
            long deadline = System.currentTimeMillis() + 5000;
            while (dropped(gw) < 5 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(5, dropped(gw), "each lost mirror request is counted");
        }
    }

    @Test
    void aMirrorThatStopsReadingLosesItsCopyWhileTheUploadGoesOn() throws Exception {
        try (ServerSocket stuck = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            stuck.setReceiveBufferSize(4096);
            List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(stuck.accept());  // accepted, never read
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (TestGateway gw = gateway("http://127.0.0.1:" + stuck.getLocalPort(), "")) {
                byte[] body = new byte[32 << 20];
                long started = System.nanoTime();
                HttpResponse<String> response = gw.send(gw.request("/api/big").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertEquals(200, response.statusCode());
                assertEquals(body.length, upstreamGot.poll(5, TimeUnit.SECONDS).length(), "the upstream got the whole body");
                // a client held back by the mirror would wait for the mirror's 60 s timeout
                assertTrue(millis < 30_000, "took " + millis + " ms");
                long deadline = System.currentTimeMillis() + 5000;
                while (dropped(gw) < 1 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(1, dropped(gw), "the mirror's copy was given up and counted");
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void bodiesForADeadMirrorDoNotUseUpTheBudgetOfTheOthers() throws Exception {
        int dead;
        try (ServerSocket closed = new ServerSocket(0)) {
            dead = closed.getLocalPort();
        }
        try (TestGateway gw = PluginGateway.startWithMetrics("""
                routes:
                  - { id: 1, uri: /dead/*, plugins: { proxy-mirror: { host: "http://127.0.0.1:%d" } }, upstream: { nodes: { "127.0.0.1:%d": 1 } } }
                  - { id: 2, uri: /live/*, plugins: { proxy-mirror: { host: "%s" } }, upstream: { nodes: { "127.0.0.1:%d": 1 } } }
                """.formatted(dead, upstream.getAddress().getPort(), mirrorHost(), upstream.getAddress().getPort()))) {
            byte[] megabyte = new byte[1 << 20];
            for (int i = 0; i < 80; i++) {  // 80 MiB of copies for a mirror that never takes them: over the 64 MiB budget
                assertEquals(200, gw.send(gw.request("/dead/x").POST(HttpRequest.BodyPublishers.ofByteArray(megabyte)).build()).statusCode());
            }
            assertEquals(200, gw.send(gw.request("/live/x").POST(HttpRequest.BodyPublishers.ofByteArray(megabyte)).build()).statusCode());
            Received copy = mirrorGot.poll(5, TimeUnit.SECONDS);
            assertNotNull(copy, "the live mirror still gets its copy");
            assertEquals(megabyte.length, copy.length());
        }
    }

    @Test
    void sampleRatioMirrorsAboutThatShare() throws Exception {
        try (TestGateway gw = gateway(mirrorHost(), ", sample_ratio: 0.5")) {
            for (int i = 0; i < 200; i++) {
                assertEquals(200, gw.get("/api/s").statusCode());
            }
            Thread.sleep(500);
            int mirrored = mirrorGot.size();
            // binomial(200, 0.5): outside 60..140 once in about 10^8 runs
            assertTrue(mirrored >= 60 && mirrored <= 140, "mirrored " + mirrored + " of 200");
        }
    }
}
