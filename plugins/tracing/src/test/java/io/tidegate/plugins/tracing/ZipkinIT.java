package io.tidegate.plugins.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** zipkin end to end: B3 in and out through a real gateway, Zipkin v2 JSON to a real receiver. */
class ZipkinIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE = "80f198ee56343ba864fe8b2a57d3eff7";
    private static final String SPAN = "e457b5a2e4d86bd1";
    private static final String PARENT = "05e3ac9a4f6e3b90";

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    static HttpServer receiver;
    static final List<JsonNode> spans = new CopyOnWriteArrayList<>();
    static final List<String> contentTypes = new CopyOnWriteArrayList<>();
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        System.setProperty("tidegate.zipkin.inactive_ms", "200");
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        receiver.createContext("/api/v2/spans", exchange -> {
            try (exchange) {
                contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                JSON.readTree(exchange.getRequestBody()).forEach(spans::add);
                exchange.sendResponseHeaders(202, -1);
            }
        });
        receiver.start();
        String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/api/v2/spans";
        gw = PluginGateway.start("""
                routes:
                  - id: z
                    uri: /z
                    plugins: { zipkin: { endpoint: "%1$s", sample_ratio: 1, service_name: tg, server_addr: 10.0.0.1 } }
                    upstream: { nodes: { "%2$s": 1 } }
                  - id: v1
                    uri: /v1
                    plugins: { zipkin: { endpoint: "%1$s", sample_ratio: 1, span_version: 1 } }
                    upstream: { nodes: { "%2$s": 1 } }
                  - id: rare
                    uri: /rare
                    plugins: { zipkin: { endpoint: "%1$s", sample_ratio: 0.00001 } }
                    upstream: { nodes: { "%2$s": 1 } }
                """.formatted(endpoint, upstream.address()));
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
        receiver.stop(0);
        System.clearProperty("tidegate.zipkin.inactive_ms");
    }

    private static JsonNode send(String path, String... headers) {
        var request = gw.request(path);
        if (headers.length > 0) {
            request.headers(headers);
        }
        HttpResponse<String> response = gw.send(request.GET().build());
        assertEquals(200, response.statusCode(), response.body());
        return TestGateway.json(response).get("headers");
    }

    private static List<JsonNode> awaitSpans(String traceId, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        List<JsonNode> found;
        do {
            found = spans.stream().filter(s -> s.get("traceId").asText().equals(traceId)).toList();
            if (found.size() >= count) {
                return found;
            }
            Thread.sleep(20);
        } while (System.currentTimeMillis() < deadline);
        return found;
    }

    private static JsonNode named(List<JsonNode> list, String name) {
        return list.stream().filter(s -> s.get("name").asText().equals(name)).findFirst().orElse(null);
    }

    @Test
    void b3SingleHeaderContinuesTheTraceAndReachesTheUpstreamAsMultiHeaders() throws Exception {
        JsonNode up = send("/z?a=1", "b3", TRACE + "-" + SPAN + "-1-" + PARENT);
        assertNull(up.get("b3"), "b3 itself is not passed on");
        assertEquals(TRACE, up.get("x-b3-traceid").asText());
        assertEquals("1", up.get("x-b3-sampled").asText());
        String proxyId = up.get("x-b3-spanid").asText();
        String requestId = up.get("x-b3-parentspanid").asText();

        List<JsonNode> trace = awaitSpans(TRACE, 3);
        assertEquals(Set.of("apisix.request", "apisix.proxy", "apisix.response_span"),
                trace.stream().map(s -> s.get("name").asText()).collect(Collectors.toSet()));
        JsonNode request = named(trace, "apisix.request");
        assertEquals(requestId, request.get("id").asText());
        assertEquals(SPAN, request.get("parentId").asText(), "the client's span is the parent");
        assertEquals("SERVER", request.get("kind").asText());
        assertEquals("tg", request.at("/localEndpoint/serviceName").asText());
        assertEquals("10.0.0.1", request.at("/localEndpoint/ipv4").asText());
        assertEquals(gw.port(), request.at("/localEndpoint/port").asInt());
        assertEquals("127.0.0.1", request.at("/remoteEndpoint/ipv4").asText());
        assertTrue(request.at("/remoteEndpoint/port").asInt() > 0);
        assertEquals("apisix", request.at("/tags/component").asText());
        assertEquals("GET", request.at("/tags/http.method").asText());
        assertEquals("/z?a=1", request.at("/tags/http.url").asText());
        assertEquals("200", request.at("/tags/http.status_code").asText());
        assertEquals("upstream", request.at("/tags/apisix.response_source").asText());
        assertTrue(request.get("timestamp").asLong() > 1_600_000_000_000_000L, "microseconds");
        assertTrue(request.get("duration").asLong() >= 0);
        JsonNode proxy = named(trace, "apisix.proxy");
        assertEquals(proxyId, proxy.get("id").asText(), "the upstream's span id is the proxy span");
        assertEquals(requestId, proxy.get("parentId").asText());
        assertFalse(proxy.has("kind"));
        assertEquals(requestId, named(trace, "apisix.response_span").get("parentId").asText());
        assertEquals("application/json", contentTypes.get(0));
    }

    @Test
    void b3DebugAndDisabledAndInvalid() throws Exception {
        JsonNode debug = send("/z", "b3", TRACE.replace('8', '9') + "-" + SPAN + "-d");
        assertEquals("1", debug.get("x-b3-flags").asText());
        assertEquals("1", debug.get("x-b3-sampled").asText());

        JsonNode off = send("/z", "b3", "0");
        assertEquals("0", off.get("x-b3-sampled").asText());
        assertEquals(32, off.get("x-b3-traceid").asText().length(), "a new trace");
        assertEquals(16, off.get("x-b3-spanid").asText().length());
        assertNull(off.get("x-b3-parentspanid"));

        JsonNode offWithIds = send("/z", "b3", TRACE + "-" + SPAN + "-0-" + PARENT);
        assertEquals("0", offWithIds.get("x-b3-sampled").asText());
        assertEquals(TRACE, offWithIds.get("x-b3-traceid").asText());
        assertEquals(SPAN, offWithIds.get("x-b3-parentspanid").asText(), "unsampled: the request span goes upstream");

        int before = upstream.requestCount();
        HttpResponse<String> invalid = gw.send(gw.request("/z").header("b3", TRACE).GET().build());
        assertEquals(400, invalid.statusCode());
        assertEquals(before, upstream.requestCount(), "nothing went upstream");

        Thread.sleep(600);
        assertTrue(spans.stream().noneMatch(s -> s.get("traceId").asText().equals(off.get("x-b3-traceid").asText())));
        assertTrue(spans.stream().noneMatch(s -> s.get("traceId").asText().equals(TRACE)
                && s.get("id").asText().equals(offWithIds.get("x-b3-spanid").asText())));
    }

    @Test
    void multiHeadersAndSampleRatio() throws Exception {
        String trace64 = "463ac35c9f6413ad";
        JsonNode multi = send("/rare", "X-B3-TraceId", trace64, "X-B3-SpanId", SPAN, "X-B3-ParentSpanId", PARENT,
                "X-B3-Sampled", "1");
        assertEquals(trace64, multi.get("x-b3-traceid").asText(), "a 64-bit trace id is kept");
        assertEquals("1", multi.get("x-b3-sampled").asText(), "the client's decision wins over sample_ratio");
        List<JsonNode> trace = awaitSpans(trace64, 3);
        assertEquals(SPAN, named(trace, "apisix.request").get("parentId").asText());

        assertEquals("0", send("/rare").get("x-b3-sampled").asText(), "sample_ratio 0.00001");
        assertEquals("1", send("/rare", "X-B3-Flags", "1").get("x-b3-sampled").asText(), "debug flag samples");
        assertEquals("0", send("/z", "X-B3-Sampled", "false").get("x-b3-sampled").asText());

        JsonNode badId = send("/z", "X-B3-TraceId", "xyz", "X-B3-SpanId", SPAN);
        assertEquals(32, badId.get("x-b3-traceid").asText().length(), "an invalid id starts a new trace");
        List<JsonNode> fresh = awaitSpans(badId.get("x-b3-traceid").asText(), 3);
        assertFalse(named(fresh, "apisix.request").has("parentId"), "nor is the client's span a parent");
    }

    @Test
    void spanVersion1ReportsThePhases() throws Exception {
        String trace = "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb";
        JsonNode up = send("/v1", "X-B3-TraceId", trace, "X-B3-SpanId", SPAN);
        List<JsonNode> got = awaitSpans(trace, 5);
        assertEquals(Set.of("apisix.request", "apisix.rewrite", "apisix.access", "apisix.proxy", "apisix.body_filter"),
                got.stream().map(s -> s.get("name").asText()).collect(Collectors.toSet()));
        JsonNode proxy = named(got, "apisix.proxy");
        assertEquals(up.get("x-b3-spanid").asText(), proxy.get("id").asText());
        assertEquals(proxy.get("id").asText(), named(got, "apisix.body_filter").get("parentId").asText());
        assertEquals("APISIX", named(got, "apisix.request").at("/localEndpoint/serviceName").asText());
    }

    @Test
    void spansACollectorRefusesAreCountedAsDropped() throws Exception {
        HttpServer refusing = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        refusing.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(500, -1);
            }
        });
        refusing.start();
        try (TestGateway metered = PluginGateway.startWithMetrics("""
                routes:
                  - { id: z, uri: /z, plugins: { zipkin: { endpoint: "http://127.0.0.1:%d/spans", sample_ratio: 1 } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(refusing.getAddress().getPort(), upstream.address()))) {
            for (int i = 0; i < 4; i++) {
                assertEquals(200, metered.get("/z").statusCode());
            }
            String sample = "tidegate_plugin_entries_dropped_total{plugin=\"zipkin\"} 12.0";
            long deadline = System.currentTimeMillis() + 5000;
            while (!metered.metrics().contains(sample) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(metered.metrics().contains(sample), "3 spans a request, 4 requests: " + metered.metrics().lines()
                    .filter(l -> l.contains("dropped")).toList());
        } finally {
            refusing.stop(0);
        }
    }
}
