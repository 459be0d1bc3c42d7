package io.tidegate.proxy;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.FreePort;
import io.tidegate.testing.TestBytes;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the gateway does to a request and response on the way through, against real upstreams. */
class ProxyBehaviourTest {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");
    @RegisterExtension
    static final UpstreamServer second = new UpstreamServer("second");

    private static TestGateway gatewayTo(String upstreamExtra) {
        return TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream_id: u }
                upstreams:
                  - id: u
                    nodes: { "%s": 1 }
                %s
                """.formatted(upstream.address(), upstreamExtra.indent(4)));
    }

    @Test
    void forwardsMethodRawPathQueryAndHeaders() {
        try (TestGateway gw = gatewayTo("")) {
            HttpResponse<String> response = gw.send(gw.request("/a%20b/c%2Fd?x=1&y=%41&x=2")
                    .header("X-Custom", "v1").method("PATCH", HttpRequest.BodyPublishers.ofString("hello")).build());
            assertEquals(200, response.statusCode());
            JsonNode seen = json(response);
            assertEquals("PATCH", seen.get("method").asText());
            assertEquals("/a%20b/c/d", seen.get("raw_path").asText(), "path is forwarded undecoded, but for %2F (escaped_slashes: decode)");
            assertEquals("x=1&y=%41&x=2", seen.get("query").asText(), "query string is forwarded as sent");
            assertEquals("v1", seen.get("headers").get("x-custom").asText());
            assertEquals(5, seen.get("body_bytes").asLong());
        }
    }

    @Test
    void setsForwardedHeadersAndAppendsToXForwardedFor() {
        try (TestGateway gw = gatewayTo("")) {
            JsonNode first = json(gw.send(gw.request("/f").header("Host", "shop.example.com").GET().build())).get("headers");
            assertEquals("127.0.0.1", first.get("x-forwarded-for").asText());
            assertEquals("http", first.get("x-forwarded-proto").asText());
            assertEquals("shop.example.com", first.get("x-forwarded-host").asText());
            assertEquals(Integer.toString(gw.port()), first.get("x-forwarded-port").asText());
            assertEquals("shop.example.com", first.get("host").asText(), "pass_host defaults to pass");

            JsonNode chained = json(gw.send(gw.request("/f").header("X-Forwarded-For", "203.0.113.9").GET().build())).get("headers");
            assertEquals("203.0.113.9, 127.0.0.1", chained.get("x-forwarded-for").asText());
        }
    }

    @Test
    void removesHopByHopHeadersBothWays() {
        try (TestGateway gw = gatewayTo("")) {
            JsonNode seen = json(gw.send(gw.request("/h")
                    .header("Connection", "X-Secret-Hop")
                    .header("X-Secret-Hop", "do-not-forward")
                    .header("Keep-Alive", "timeout=5")
                    .header("Proxy-Connection", "keep-alive")
                    .header("X-Kept", "yes").GET().build())).get("headers");
            assertFalse(seen.has("x-secret-hop"), seen::toString);
            assertFalse(seen.has("keep-alive"), seen::toString);
            assertFalse(seen.has("proxy-connection"), seen::toString);
            assertEquals("yes", seen.get("x-kept").asText());

            JsonNode spoofed = json(gw.send(gw.request("/h").header("X-Consumer-Username", "admin").GET().build())).get("headers");
            assertFalse(spoofed.has("x-consumer-username"), "only authentication may name the consumer");

            HttpResponse<String> response = gw.get("/__hop");
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("X-Hop-Header").isEmpty(), () -> response.headers().toString());
            assertTrue(response.headers().firstValue("Keep-Alive").isEmpty(), () -> response.headers().toString());
            assertEquals("kept", response.headers().firstValue("X-End-To-End").orElseThrow());
        }
    }

    @Test
    void passHostNodeAndRewrite() {
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: /node, upstream: { pass_host: node, nodes: { "%1$s": 1 } } }
                  - { id: 2, uri: /rewrite, upstream: { pass_host: rewrite, upstream_host: internal.svc, nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()))) {
            HttpResponse<String> node = gw.send(gw.request("/node").header("Host", "public.example.com").GET().build());
            assertEquals(upstream.address(), json(node).get("headers").get("host").asText());
            HttpResponse<String> rewrite = gw.send(gw.request("/rewrite").header("Host", "public.example.com").GET().build());
            assertEquals("internal.svc", json(rewrite).get("headers").get("host").asText());
            assertEquals("public.example.com", json(rewrite).get("headers").get("x-forwarded-host").asText());
        }
    }

    @Test
    void streamsBodiesLargerThan10MbBothWays() throws IOException {
        long size = 12L * 1024 * 1024 + 7;
        try (TestGateway gw = gatewayTo("")) {
            // upload: the upstream hashes what arrived
            HttpResponse<String> upload = gw.send(gw.request("/upload")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestBytes.stream(size))).build());
            assertEquals(200, upload.statusCode());
            assertEquals(size, json(upload).get("body_bytes").asLong());
            assertEquals(TestBytes.sha256(size), json(upload).get("body_sha256").asText());

            // download: a chunked response streamed by the upstream
            HttpResponse<InputStream> download = gw.send(gw.request("/__bytes?n=" + size).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, download.statusCode());
            try (InputStream body = download.body()) {
                assertEquals(TestBytes.sha256(size), TestBytes.sha256(body));
            }

            // both at once: the upstream echoes as it reads
            HttpResponse<InputStream> echo = gw.send(gw.request("/__echo")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestBytes.stream(size))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, echo.statusCode());
            try (InputStream body = echo.body()) {
                assertEquals(TestBytes.sha256(size), TestBytes.sha256(body));
            }
        }
    }

    @Test
    void bodyOverClientMaxBodySizeIs413() {
        try (TestGateway gw = TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  client_max_body_size: 1k
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()))) {
            int before = upstream.requestCount();
            HttpResponse<String> tooBig = gw.send(gw.request("/big").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1025])).build());
            assertEquals(413, tooBig.statusCode());
            assertEquals("{\"error_msg\":\"413 Request Entity Too Large\"}\n", tooBig.body());
            assertEquals(before, upstream.requestCount(), "nothing reached the upstream");
            HttpResponse<String> fits = gw.send(gw.request("/ok").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1024])).build());
            assertEquals(200, fits.statusCode());
            assertEquals(1024, json(fits).get("body_bytes").asLong());
        }
    }

    @Test
    void connectFailureIs502Json() throws IOException {
        int closedPort = FreePort.pick();
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "127.0.0.1:%d": 1 } } }
                """.formatted(closedPort))) {
            HttpResponse<String> response = gw.get("/down");
            assertEquals(502, response.statusCode());
            assertEquals("{\"error_msg\":\"502 Bad Gateway\"}\n", response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        }
    }

    @Test
    void slowUpstreamIs504JsonAfterReadTimeout() {
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - id: 1
                    uri: "/*"
                    timeout: { connect: 1, send: 1, read: 0.5 }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(upstream.address()))) {
            long start = System.nanoTime();
            HttpResponse<String> response = gw.get("/__slow?ms=3000");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(504, response.statusCode());
            assertEquals("{\"error_msg\":\"504 Gateway Timeout\"}\n", response.body());
            assertTrue(tookMillis < 2500, "answered at the read timeout, not when the upstream did: " + tookMillis + " ms");
            assertEquals(200, gw.get("/__slow?ms=100").statusCode(), "a reply within the timeout passes");
        }
    }

    @Test
    void upstreamTimeoutAppliesWhenTheRouteHasNone() {
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream_id: slow }
                upstreams:
                  - { id: slow, timeout: { connect: 1, send: 1, read: 0.3 }, nodes: { "%s": 1 } }
                """.formatted(upstream.address()))) {
            assertEquals(504, gw.get("/__slow?ms=2000").statusCode());
        }
    }

    @Test
    void connectTimeoutIs504AndRetriesElsewhere() throws IOException {
        try (Blackhole hole = new Blackhole(); TestGateway gw = TestGateway.start("""
                routes:
                  - id: 1
                    uri: /only-hole
                    timeout: { connect: 0.3, send: 5, read: 5 }
                    upstream: { nodes: { "127.0.0.1:%1$d": 1 } }
                  - id: 2
                    uri: /hole-then-live
                    timeout: { connect: 0.3, send: 5, read: 5 }
                    upstream: { type: roundrobin, nodes: { "127.0.0.1:%1$d": 1, "%2$s": 1 } }
                """.formatted(hole.port(), upstream.address()))) {
            long start = System.nanoTime();
            HttpResponse<String> response = gw.get("/only-hole");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(504, response.statusCode(), "nginx answers a connect timeout with 504");
            assertEquals("{\"error_msg\":\"504 Gateway Timeout\"}\n", response.body());
            assertTrue(tookMillis < 2000, "gave up at the connect timeout: " + tookMillis + " ms");
            for (int i = 0; i < 4; i++) {
                assertEquals(200, gw.get("/hole-then-live").statusCode(), "the timed-out try moves to the live node");
            }
        }
    }

    @Test
    void keepalivePoolRequestsRetiresConnections() {
        try (TestGateway gw = TestGateway.start("""
                tidegate:
                  threads: 1
                  listeners: [{ address: "127.0.0.1:0" }]
                routes:
                  - { id: 1, uri: "/*", upstream: { keepalive_pool: { requests: 2 }, nodes: { "%s": 1 } } }
                """.formatted(second.address()))) {
            int before = second.connectionCount();
            for (int i = 0; i < 10; i++) {
                assertEquals(200, gw.get("/ka").statusCode());
            }
            assertEquals(5, second.connectionCount() - before, "two requests per upstream connection");
        }
    }

    @Test
    void connectFailureIsRetriedOnAnotherNode() throws IOException {
        int closedPort = FreePort.pick();
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "127.0.0.1:%d": 1, "%s": 1 } } }
                """.formatted(closedPort, upstream.address()))) {
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> response = gw.get("/retry/" + i);
                assertEquals(200, response.statusCode(), "request " + i + " must be retried on the live node");
                assertTrue(response.headers().firstValue("X-APISIX-Upstream-Status").isEmpty(), "the last try succeeded");
            }
        }
    }

    @Test
    void theUpstreamStatusOfEveryTryIsToldWhenTheLastOneFailed() throws IOException {
        int closed = FreePort.pick();
        int alsoClosed = FreePort.pick();
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream: { retries: 1, nodes: { "127.0.0.1:%d": 1, "127.0.0.1:%d": 1 } } }
                """.formatted(closed, alsoClosed))) {
            HttpResponse<String> response = gw.get("/dead");
            assertEquals(502, response.statusCode());
            assertEquals("502, 502", response.headers().firstValue("X-APISIX-Upstream-Status").orElse(null),
                    "as APISIX: nginx's $upstream_status, one entry per try");
        }
    }

    @Test
    void retriesZeroGivesUpAfterTheFirstNode() throws IOException {
        int closedPort = FreePort.pick();
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream: { retries: 0, nodes: { "127.0.0.1:%d": 1, "%s": 1 } } }
                """.formatted(closedPort, upstream.address()))) {
            Map<Integer, Integer> statuses = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                statuses.merge(gw.get("/r").statusCode(), 1, Integer::sum);
            }
            assertEquals(Map.of(200, 5, 502, 5), statuses, "round robin alternates, and no retry hides the dead node");
        }
    }

    @Test
    void weightedRoundRobinSplitsByWeight() {
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream: { type: roundrobin, nodes: { "%s": 1, "%s": 3 } } }
                """.formatted(upstream.address(), second.address()))) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                counts.merge(json(gw.get("/w")).get("server").asText(), 1, Integer::sum);
            }
            assertEquals(Map.of("main", 10, "second", 30), counts);
        }
    }

    @Test
    void reusesUpstreamConnections() {
        try (TestGateway gw = TestGateway.start("""
                tidegate:
                  threads: 1
                  listeners: [{ address: "127.0.0.1:0" }]
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                """.formatted(second.address()))) {
            int connectionsBefore = second.connectionCount();
            for (int i = 0; i < 50; i++) {
                assertEquals(200, gw.get("/k").statusCode());
            }
            int opened = second.connectionCount() - connectionsBefore;
            assertTrue(opened <= 2, "50 sequential requests should share a pooled connection, opened " + opened);
        }
    }

    @Test
    void routeNamingAnUnloadedPluginFailsClosed() {
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: /guarded, plugins: { key-auth: {} }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 2, uri: /off, plugins: { key-auth: { _meta: { disable: true } } }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()))) {
            int before = upstream.requestCount();
            HttpResponse<String> guarded = gw.get("/guarded");
            assertEquals(503, guarded.statusCode());
            assertEquals("{\"error_msg\":\"plugin key-auth is not loaded\"}\n", guarded.body());
            assertEquals(before, upstream.requestCount(), "the request never reached the upstream");
            assertEquals(200, gw.get("/off").statusCode(), "_meta.disable turns the plugin off");
        }
    }

    @Test
    void globalRulePluginThatIsNotLoadedGuardsEveryRoute() {
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: /a, upstream: { nodes: { "%s": 1 } } }
                global_rules:
                  - { id: 1, plugins: { ip-restriction: { whitelist: ["127.0.0.1"] } } }
                """.formatted(upstream.address()))) {
            HttpResponse<String> response = gw.get("/a");
            assertEquals(503, response.statusCode());
            assertEquals("{\"error_msg\":\"plugin ip-restriction is not loaded\"}\n", response.body());
            HttpResponse<String> unmatched = gw.get("/no-route-here");
            assertEquals(503, unmatched.statusCode(), "requests no route matches meet the global rule too");
            assertEquals("{\"error_msg\":\"plugin ip-restriction is not loaded\"}\n", unmatched.body());
        }
    }

    @Test
    void routeWithoutUpstreamIs503() {
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: /nothing, plugins: { echo: { _meta: { disable: true } } } }
                """)) {
            HttpResponse<String> response = gw.get("/nothing");
            assertEquals(503, response.statusCode());
            assertEquals("{\"error_msg\":\"missing upstream configuration in Route or Service\"}\n", response.body());
        }
    }

    @Test
    void anUpstreamWhoseNamesDoNotResolveIs503() {
        // .invalid never resolves (RFC 6761)
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: /z, upstream: { nodes: { "no-such-host.invalid:80": 1 } } }
                """)) {
            HttpResponse<String> response = gw.get("/z");
            assertEquals(503, response.statusCode());
            assertEquals("{\"error_msg\":\"503 Service Unavailable\"}\n", response.body());
        }
    }

    @Test
    void allNodesWeightZeroIs502() {
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "%s": 0 } } }
                """.formatted(upstream.address()))) {
            HttpResponse<String> response = gw.get("/z");
            assertEquals(502, response.statusCode());
            assertEquals("{\"error_msg\":\"502 Bad Gateway\"}\n", response.body());
        }
    }

    @Test
    void upstreamNamedByHostNameIsResolved() {
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "localhost:%d": 1 } } }
                """.formatted(upstream.port()))) {
            assertEquals(200, gw.get("/dns").statusCode());
        }
    }

    @Test
    void clientKeepAliveSurvivesManyRequestsOnOneConnection() throws IOException {
        try (TestGateway gw = gatewayTo(""); Socket socket = new Socket("127.0.0.1", gw.port())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 3; i++) {
                out.write(("GET /ka/" + i + " HTTP/1.1\r\nHost: test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String head = readHead(in);
                assertTrue(head.startsWith("HTTP/1.1 200"), head);
                int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
                assertEquals(length, in.readNBytes(length).length);
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /**
     * A listening port whose accept queue is full, so the kernel drops further SYNs and a connect
     * hangs until the client gives up: an unreachable node, on loopback.
     */
    static final class Blackhole implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1);
        private final java.util.List<Socket> fillers = new java.util.ArrayList<>();

        Blackhole() throws IOException {
            for (int i = 0; i < 8; i++) {
                Socket filler = new Socket();
                try {
                    filler.connect(server.getLocalSocketAddress(), 200);
                    fillers.add(filler);
                } catch (IOException full) {
                    filler.close();
                    break;
                }
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket filler : fillers) {
                filler.close();
            }
            server.close();
        }
    }

}
