package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tidegate.testing.FreePort;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** file-logger and http-logger end to end: a real file, a real collector. */
class LoggersIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @TempDir
    Path dir;

    HttpServer collector;
    final List<String> received = new CopyOnWriteArrayList<>();
    final AtomicInteger failNext = new AtomicInteger();

    @BeforeEach
    void startCollector() throws IOException {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        collector.createContext("/logs", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 200;
            if (status == 200) {
                received.add(new String(body, StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        collector.start();
    }

    @AfterEach
    void stopCollector() {
        collector.stop(0);
    }

    private String collectorUri() {
        return "http://127.0.0.1:" + collector.getAddress().getPort() + "/logs";
    }

    /** The JSON lines of {@code file}, once it has at least {@code atLeast} (or after 5 s). */
    static List<JsonNode> lines(Path file, int atLeast) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        List<JsonNode> out = new ArrayList<>();
        while (System.currentTimeMillis() < deadline) {
            out.clear();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    out.add(JSON.readTree(line));
                }
            }
            if (out.size() >= atLeast) {
                break;
            }
            Thread.sleep(20);
        }
        return out;
    }

    private void waitForBatches(int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (received.size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void fileLoggerWritesApisixShapedEntriesAndSurvivesRotation() throws Exception {
        Path log = dir.resolve("requests.log");
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - { id: r1, uri: "/api/*", plugins: { file-logger: { path: %s } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(log, upstream.address()))) {
            gw.send(gw.request("/api/items?page=2").header("X-Trace", "t1").GET().build());
            JsonNode entry = lines(log, 1).get(0);
            assertEquals("GET", entry.at("/request/method").asText());
            assertEquals("/api/items?page=2", entry.at("/request/uri").asText());
            assertEquals("2", entry.at("/request/querystring/page").asText());
            assertEquals("t1", entry.at("/request/headers/x-trace").asText());
            assertEquals(200, entry.at("/response/status").asInt());
            assertTrue(entry.at("/response/size").asLong() > 0);
            assertEquals("r1", entry.get("route_id").asText());
            assertEquals(upstream.address(), entry.get("upstream").asText());
            assertEquals("127.0.0.1", entry.get("client_ip").asText());
            assertTrue(entry.get("latency").asDouble() >= entry.get("upstream_latency").asDouble());
            assertTrue(entry.get("start_time").asLong() > 1_600_000_000_000L);

            Files.move(log, dir.resolve("requests.log.1"));
            for (int i = 0; i < 25; i++) {
                gw.get("/api/after");
                Thread.sleep(60);
            }
            int total = lines(dir.resolve("requests.log.1"), 1).size() + lines(log, 1).size();
            assertEquals(26, total, "no entry lost across the rotation");
        }
    }

    @Test
    void theEntryShowsTheForwardingHeadersTheClientSentWhileTheUpstreamGetsTheGatewaysOwn() throws Exception {
        // as APISIX, whose X-Forwarded-For and X-Real-IP are nginx's proxy_set_header: sent, never the request's own
        Path log = dir.resolve("forwarded.log");
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - { id: r1, uri: /fwd, plugins: { file-logger: { path: %s } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(log, upstream.address()))) {
            HttpResponse<String> response = gw.send(gw.request("/fwd").header("X-Forwarded-For", "10.0.0.1").GET().build());
            JsonNode sent = TestGateway.json(response).path("headers");
            assertEquals("10.0.0.1, 127.0.0.1", sent.path("x-forwarded-for").asText(), sent.toString());
            assertEquals("127.0.0.1", sent.path("x-real-ip").asText(), sent.toString());
            JsonNode logged = lines(log, 1).get(0).at("/request/headers");
            assertEquals("10.0.0.1", logged.path("x-forwarded-for").asText(), logged.toString());
            assertTrue(logged.path("x-real-ip").isMissingNode(), "the client sent no X-Real-IP: " + logged);
            assertEquals("http", logged.path("x-forwarded-proto").asText(), "set before the plugins, as APISIX's input headers");
        }
    }

    @Test
    void bodiesAreLoggedUpToTheirCapsWhileTheUpstreamGetsThemWhole() throws Exception {
        Path log = dir.resolve("bodies.log");
        String upload = "{\"order\":\"" + "x".repeat(200_000) + "\"}";
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: bodies
                    uri: /orders
                    plugins:
                      file-logger: { path: %s, include_req_body: true, max_req_body_bytes: 16, include_resp_body: true, max_resp_body_bytes: 20 }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(log, upstream.address()))) {
            HttpResponse<String> posted = gw.send(gw.request("/orders").POST(HttpRequest.BodyPublishers.ofString(upload)).build());
            assertEquals(200, posted.statusCode());
            assertEquals(upload.length(), TestGateway.json(posted).get("body_bytes").asInt(), "the upstream got the whole body");
            assertEquals(200, gw.get("/orders").statusCode());
            HttpResponse<String> chunked = gw.send(gw.request("/orders").POST(HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(upload.getBytes(StandardCharsets.UTF_8)))).build());
            assertEquals(upload.length(), TestGateway.json(chunked).get("body_bytes").asInt());

            List<JsonNode> entries = lines(log, 3);
            assertEquals(3, entries.size());
            assertEquals(upload.substring(0, 16), entries.get(2).at("/request/body").asText(), "a chunked body too");
            assertEquals(upload.substring(0, 16), entries.get(0).at("/request/body").asText());
            assertEquals(posted.body().substring(0, 20), entries.get(0).at("/response/body").asText());
            assertTrue(entries.get(1).at("/request/body").isMissingNode(), "a request without a body logs none");
        }
    }

    @Test
    void aResponseBodyConditionPicksTheRequestsWhoseBodyIsLogged() throws Exception {
        Path log = dir.resolve("selected.log");
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: selected
                    uri: /orders
                    plugins:
                      file-logger: { path: %s, include_resp_body: true, include_resp_body_expr: [["arg_log", "==", "yes"]] }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(log, upstream.address()))) {
            String logged = gw.get("/orders?log=yes").body();
            assertEquals(200, gw.get("/orders").statusCode());
            List<JsonNode> entries = lines(log, 2);
            assertEquals(logged, entries.get(0).at("/response/body").asText());
            assertTrue(entries.get(1).at("/response/body").isMissingNode());
        }
    }

    @Test
    void aBodyCapBelowOneIsAConfigurationErrorNamingTheField() {
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> PluginGateway.start("""
                        routes:
                          - { id: r, uri: /x, plugins: { http-logger: { uri: "%s", include_req_body: true, max_req_body_bytes: 0 } }, upstream: { nodes: { "%s": 1 } } }
                        """.formatted(collectorUri(), upstream.address())).close());
        assertTrue(error.getMessage().contains("max_req_body_bytes: must be an integer >= 1"), error.getMessage());
    }

    @Test
    void logFormatPicksTheFields() throws Exception {
        Path log = dir.resolve("short.log");
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: r2
                    uri: /f
                    plugins: { file-logger: { path: %s, log_format: { host: "$host", client: "$remote_addr", fixed: "v1", status: "$status" } } }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(log, upstream.address()))) {
            gw.send(gw.request("/f").header("Host", "shop.example.com").GET().build());
            JsonNode entry = lines(log, 1).get(0);
            assertEquals("shop.example.com", entry.get("host").asText());
            assertEquals("127.0.0.1", entry.get("client").asText());
            assertEquals("v1", entry.get("fixed").asText());
            assertEquals("200", entry.get("status").asText());
            assertEquals("r2", entry.get("route_id").asText(), "as APISIX adds it after the fields of a log_format");
            assertEquals(5, entry.size());
        }
    }

    @Test
    void logFormatNamesTheRouteTheServiceAndTheUriPatternThatMatched() throws Exception {
        Path log = dir.resolve("names.log");
        try (TestGateway gw = PluginGateway.start("""
                services:
                  - { id: s1, name: shop }
                routes:
                  - id: r3
                    name: orders
                    service_id: s1
                    uris: [/orders/*, /carts/*]
                    plugins: { file-logger: { path: %1$s, log_format: { route: "$route_name", service: "$service_name", pattern: "$matched_uri" } } }
                    upstream: { nodes: { "%2$s": 1 } }
                  - { id: r4, uri: /plain, plugins: { file-logger: { path: %1$s, log_format: { route: "$route_name", pattern: "$matched_uri" } } }, upstream: { nodes: { "%2$s": 1 } } }
                """.formatted(log, upstream.address()))) {
            gw.get("/carts/7");
            gw.get("/plain");
            List<JsonNode> entries = lines(log, 2);
            assertEquals("orders", entries.get(0).get("route").asText());
            assertEquals("shop", entries.get(0).get("service").asText());
            assertEquals("/carts/*", entries.get(0).get("pattern").asText(), "the one of the route's uris that matched, as configured");
            assertTrue(entries.get(1).get("route").isNull(), "a route without a name: " + entries.get(1));
            assertEquals("/plain", entries.get(1).get("pattern").asText());
        }
    }

    @Test
    void httpLoggerBatchesAndRetries() throws Exception {
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: batched
                    uri: /b
                    plugins: { http-logger: { uri: "%1$s", batch_max_size: 3, inactive_timeout: 30, max_retry_count: 1, retry_delay: 0.1 } }
                    upstream: { nodes: { "%2$s": 1 } }
                  - id: single
                    uri: /s
                    plugins: { http-logger: { uri: "%1$s", inactive_timeout: 0.2 } }
                    upstream: { nodes: { "%2$s": 1 } }
                """.formatted(collectorUri(), upstream.address()))) {
            failNext.set(1); // the first send fails; the retry delivers
            for (int i = 0; i < 3; i++) {
                assertEquals(200, gw.get("/b").statusCode());
            }
            waitForBatches(1);
            JsonNode batch = JSON.readTree(received.get(0));
            assertTrue(batch.isArray(), "a batch of three is an array");
            assertEquals(3, batch.size());
            assertEquals("batched", batch.get(0).get("route_id").asText());

            gw.get("/s");
            waitForBatches(2);
            JsonNode single = JSON.readTree(received.get(1));
            assertTrue(single.isObject(), "a batch of one is an object");
            assertEquals("single", single.get("route_id").asText());
        }
    }

    /** http-logger on /q with nothing due for a minute: only a stop or a full batch sends. */
    private TestGateway gatewayWithAQueueDueInAMinute() {
        return PluginGateway.start("""
                routes:
                  - id: queued
                    uri: /q
                    plugins: { http-logger: { uri: "%s", batch_max_size: 1000, inactive_timeout: 60, buffer_duration: 60 } }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(collectorUri(), upstream.address()));
    }

    @Test
    void entriesStillQueuedWhenTheGatewayStopsAreSentBeforeItExits() throws Exception {
        TestGateway gw = gatewayWithAQueueDueInAMinute();
        for (int i = 0; i < 3; i++) {
            assertEquals(200, gw.get("/q").statusCode());
        }
        Thread.sleep(300);
        assertEquals(0, received.size(), "nothing is due for a minute");
        gw.close();
        assertEquals(1, received.size(), "the queue was flushed on the way out");
        assertEquals(3, JSON.readTree(received.get(0)).size());
    }

    @Test
    void aReloadKeepsTheQueueSoEntriesOfBothVersionsGoOutTogether() throws Exception {
        TestGateway gw = gatewayWithAQueueDueInAMinute();
        assertEquals(200, gw.get("/q").statusCode());
        assertEquals(200, gw.get("/q").statusCode());
        Files.writeString(gw.configFile(), Files.readString(gw.configFile())
                + "  - { id: other, uri: /other, upstream: { nodes: { \"" + upstream.address() + "\": 1 } } }\n");
        gw.awaitStatus("/other", 200, 5000);
        assertEquals(200, gw.get("/q").statusCode());
        assertEquals(0, received.size(), "the reload neither flushed nor dropped the old version's queue");
        gw.close();
        assertEquals(1, received.size(), received.toString());
        assertEquals(3, JSON.readTree(received.get(0)).size(), "one batch with the entries of both versions");
    }

    @Test
    void entriesTheCollectorNeverTookShowInTheGatewaysMetrics() throws Exception {
        int closed = FreePort.pick();
        try (TestGateway gw = PluginGateway.startWithMetrics("""
                routes:
                  - id: lost
                    uri: /lost
                    plugins: { http-logger: { uri: "http://127.0.0.1:%s/logs", batch_max_size: 1, max_retry_count: 0, timeout: 1 } }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(closed, upstream.address()))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, gw.get("/lost").statusCode(), "a down collector never fails the request");
            }
            String sample = "tidegate_plugin_entries_dropped_total{plugin=\"http-logger\"} 3.0";
            long deadline = System.currentTimeMillis() + 10_000;
            String metrics = gw.metrics();
            while (!metrics.contains(sample) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                metrics = gw.metrics();
            }
            assertTrue(metrics.contains(sample), "three dropped entries counted:\n" + metrics);
        }
    }
}
