package io.tidegate.plugins.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.tidegate.testing.FreePort;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** opentelemetry end to end: a real gateway, a real upstream, an OTLP/HTTP receiver decoding protobuf. */
class OpenTelemetryIT {
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String PARENT = "b7ad6b7169203331";

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    static OtlpReceiver receiver;
    static TestGateway gw;
    static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        receiver = new OtlpReceiver();
        int dead = FreePort.pick();
        deadPort = dead;
        gw = PluginGateway.startWithSettings("""
                  plugin_attr:
                    opentelemetry:
                      resource: { service.name: tidegate-it, deployment: 3 }
                      collector: { address: "%s", request_headers: { x-collector-key: k1 } }
                      batch_span_processor: { batch_timeout: 0.05, max_export_batch_size: 1 }
                """.formatted(receiver.address()), """
                services:
                  - { id: svc, name: tracing-svc }
                routes:
                  - id: sampled
                    name: items
                    service_id: svc
                    uris: [/elsewhere, /on/*]
                    plugins:
                      opentelemetry:
                        sampler: { name: always_on }
                        additional_attributes: [remote_addr, arg_q, http_x_custom]
                        additional_header_prefix_attributes: ["x-my-*", "x-exact"]
                    upstream: { nodes: { "%s": 1 } }
                  - { id: unsampled, uri: /off, plugins: { opentelemetry: {} }, upstream: { nodes: { "%s": 1 } } }
                  - id: ratio0
                    uri: /ratio0
                    plugins: { opentelemetry: { sampler: { name: trace_id_ratio, options: { fraction: 0 } } } }
                    upstream: { nodes: { "%s": 1 } }
                  - id: ratio1
                    uri: /ratio1
                    plugins: { opentelemetry: { sampler: { name: trace_id_ratio, options: { fraction: 1 } } } }
                    upstream: { nodes: { "%s": 1 } }
                  - id: parent
                    uri: /parent
                    plugins: { opentelemetry: { sampler: { name: parent_base, options: { root: { name: always_on } } } } }
                    upstream: { nodes: { "%s": 1 } }
                  - { id: down, uri: /down, plugins: { opentelemetry: { sampler: { name: always_on } } }, upstream: { nodes: { "127.0.0.1:%d": 1 } } }
                  - id: retried
                    uri: /retried
                    plugins: { opentelemetry: { sampler: { name: always_on } } }
                    upstream:
                      retries: 1
                      nodes:
                        - { host: 127.0.0.1, port: %d, weight: 1, priority: 1 }
                        - { host: 127.0.0.1, port: %d, weight: 1, priority: 0 }
                """.formatted(upstream.address(), upstream.address(), upstream.address(), upstream.address(), upstream.address(), dead,
                dead, upstream.port()));
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
        receiver.close();
    }

    private static String[] traceparentAtUpstream(HttpResponse<String> response) {
        String header = TestGateway.json(response).at("/headers/traceparent").asText(null);
        assertNotNull(header, "the upstream got a traceparent");
        String[] parts = header.split("-");
        assertEquals(4, parts.length, header);
        return parts;
    }

    @Test
    void continuesTheClientsTraceInAServerSpanAndHandsItToTheUpstream() throws Exception {
        HttpResponse<String> response = gw.send(gw.request("/on/items?q=7")
                .header("traceparent", "00-" + TRACE + "-" + PARENT + "-01")
                .header("User-Agent", "it-agent")
                .header("X-Custom", "c1")
                .header("X-My-One", "1").header("X-My-Two", "2").header("X-Exact", "e").header("X-Other", "o")
                .GET().build());
        assertEquals(200, response.statusCode());
        String[] sent = traceparentAtUpstream(response);
        assertEquals(TRACE, sent[1], "the upstream continues the client's trace");
        assertEquals("01", sent[3]);

        OtlpReceiver.Received client = receiver.await(r -> r.spanId().equals(sent[2]));
        assertNotNull(client, "the span named in the upstream's traceparent reached the collector");
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, client.span().getKind(), "the node's parent is the try's CLIENT span");
        assertEquals("GET", client.span().getName());
        assertEquals(TRACE, client.traceId());
        Map<String, Object> c = client.attributes();
        assertEquals("127.0.0.1", c.get("server.address"));
        assertEquals((long) upstream.port(), c.get("server.port"));
        assertEquals(upstream.address(), c.get("apisix.upstream_node"));
        assertEquals("GET", c.get("http.request.method"));
        assertEquals(200L, c.get("http.response.status_code"));
        assertNull(c.get("http.request.resend_count"), "a first try is no resend");
        assertEquals(Status.StatusCode.STATUS_CODE_UNSET, client.span().getStatus().getCode());

        OtlpReceiver.Received got = receiver.await(r -> r.spanId().equals(client.parentSpanId()));
        assertNotNull(got, "the CLIENT span's parent, the request's SERVER span, reached the collector");
        Span span = got.span();
        assertTrue(span.getStartTimeUnixNano() <= client.span().getStartTimeUnixNano()
                && client.span().getEndTimeUnixNano() <= span.getEndTimeUnixNano(), "the try lies within the request");
        assertEquals("application/x-protobuf", got.contentType());
        assertTrue(receiver.collectorKeys.contains("k1"), "collector.request_headers");
        assertEquals("GET /on/*", span.getName(), "as APISIX: the method and the uri pattern of the route that matched");
        assertEquals(Span.SpanKind.SPAN_KIND_SERVER, span.getKind());
        assertEquals(TRACE, got.traceId());
        assertEquals(PARENT, got.parentSpanId());
        Map<String, Object> a = got.attributes();
        assertEquals("GET", a.get("http.method"));
        assertEquals("GET", a.get("http.request.method"));
        assertEquals("http", a.get("http.scheme"));
        assertEquals("http", a.get("url.scheme"));
        assertEquals("/on/items?q=7", a.get("http.target"));
        assertEquals("/on/items", a.get("url.path"));
        assertEquals("it-agent", a.get("http.user_agent"));
        assertEquals("it-agent", a.get("user_agent.original"));
        assertEquals("127.0.0.1", a.get("net.host.name"));
        assertEquals("sampled", a.get("apisix.route_id"));
        assertEquals("items", a.get("apisix.route_name"));
        assertEquals("/on/*", a.get("http.route"), "the one of the route's uris that matched");
        assertEquals("svc", a.get("apisix.service_id"));
        assertEquals("tracing-svc", a.get("apisix.service_name"));
        assertEquals(200L, a.get("http.status_code"));
        assertEquals(200L, a.get("http.response.status_code"));
        assertEquals("upstream", a.get("apisix.response_source"));
        assertEquals("127.0.0.1", a.get("remote_addr"));
        assertEquals("7", a.get("arg_q"));
        assertEquals("c1", a.get("http_x_custom"));
        assertEquals("1", a.get("x-my-one"));
        assertEquals("2", a.get("x-my-two"));
        assertEquals("e", a.get("x-exact"));
        assertNull(a.get("x-other"));
        assertEquals(Status.StatusCode.STATUS_CODE_UNSET, span.getStatus().getCode());
        assertTrue(span.getEndTimeUnixNano() > span.getStartTimeUnixNano());
        Map<String, Object> resource = got.resourceAttributes();
        assertEquals("tidegate-it", resource.get("service.name"));
        assertEquals(3.0, resource.get("deployment"));
        assertNotNull(resource.get("hostname"));
    }

    @Test
    void startsATraceWithoutTraceparentAndMarksServerErrors() throws Exception {
        HttpResponse<String> response = gw.get("/down");
        assertTrue(response.statusCode() >= 500, "no upstream listens: " + response.statusCode());
        OtlpReceiver.Received got = receiver.await(r -> "down".equals(r.attributes().get("apisix.route_id")));
        assertNotNull(got);
        assertEquals(32, got.traceId().length());
        assertEquals("", got.parentSpanId(), "a root span");
        assertEquals("GET /down", got.span().getName());
        assertNull(got.attributes().get("apisix.route_name"), "the route has no name");
        assertNull(got.attributes().get("apisix.service_id"));
        assertNull(got.attributes().get("apisix.service_name"));
        assertEquals((long) response.statusCode(), got.attributes().get("http.status_code"));
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, got.span().getStatus().getCode());
        assertTrue(got.span().getStatus().getMessage().endsWith("error: " + response.statusCode()), got.span().getStatus().getMessage());
    }

    @Test
    void eachTryHasItsOwnClientSpanAndTheNodeSeesItsOwn() throws Exception {
        HttpResponse<String> response = gw.send(gw.request("/retried").header("traceparent", "00-" + TRACE + "-" + PARENT + "-01").GET().build());
        assertEquals(200, response.statusCode(), "the second try reached the live node");
        String[] sent = traceparentAtUpstream(response);

        OtlpReceiver.Received second = receiver.await(r -> r.spanId().equals(sent[2]));
        assertNotNull(second, "the second try's span, named in the traceparent the live node got");
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, second.span().getKind());
        assertEquals(200L, second.attributes().get("http.response.status_code"));
        assertEquals(1L, second.attributes().get("http.request.resend_count"));
        OtlpReceiver.Received server = receiver.await(r -> r.spanId().equals(second.parentSpanId()));
        assertNotNull(server);
        assertEquals(Span.SpanKind.SPAN_KIND_SERVER, server.span().getKind());
        assertEquals("retried", server.attributes().get("apisix.route_id"));

        OtlpReceiver.Received first = receiver.await(r -> r.span().getKind() == Span.SpanKind.SPAN_KIND_CLIENT
                && r.parentSpanId().equals(server.spanId()) && !r.spanId().equals(second.spanId()));
        assertNotNull(first, "the first try, at the dead node, has a span of its own");
        assertEquals("connect_failed", first.attributes().get("error.type"));
        assertEquals((long) deadPort, first.attributes().get("server.port"));
        assertNull(first.attributes().get("http.response.status_code"), "the dead node never answered");
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, first.span().getStatus().getCode());
        assertTrue(first.span().getEndTimeUnixNano() <= second.span().getStartTimeUnixNano(), "the tries come one after the other");
        assertEquals(TRACE, first.traceId());
    }

    @Test
    void aNodeThatAnswers5xxMarksItsTryAsAnError() throws Exception {
        com.sun.net.httpserver.HttpServer failing = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        failing.createContext("/", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        failing.start();
        try (TestGateway one = PluginGateway.startWithSettings("""
                  plugin_attr:
                    opentelemetry:
                      collector: { address: "%s" }
                      batch_span_processor: { batch_timeout: 0.05, max_export_batch_size: 1 }
                """.formatted(receiver.address()), """
                routes:
                  - { id: failing, uri: /failing, plugins: { opentelemetry: { sampler: { name: always_on } } }, upstream: { nodes: { "127.0.0.1:%d": 1 } } }
                """.formatted(failing.getAddress().getPort()))) {
            assertEquals(503, one.get("/failing").statusCode());
            OtlpReceiver.Received client = receiver.await(r -> r.span().getKind() == Span.SpanKind.SPAN_KIND_CLIENT
                    && Long.valueOf(503).equals(r.attributes().get("http.response.status_code")));
            assertNotNull(client, "the try the node answered 503");
            assertEquals("503", client.attributes().get("error.type"));
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, client.span().getStatus().getCode());
        } finally {
            failing.stop(0);
        }
    }

    @Test
    void unsampledRequestsStillPropagateButExportNothing() throws Exception {
        String[] off = traceparentAtUpstream(gw.send(gw.request("/off").header("traceparent", "00-" + TRACE + "-" + PARENT + "-01").GET().build()));
        assertEquals(TRACE, off[1]);
        assertEquals("00", off[3], "always_off (the default) does not sample");
        String[] ratio0 = traceparentAtUpstream(gw.get("/ratio0"));
        assertEquals("00", ratio0[3]);
        String[] ratio1 = traceparentAtUpstream(gw.get("/ratio1"));
        assertEquals("01", ratio1[3]);
        String[] parentOff = traceparentAtUpstream(gw.send(gw.request("/parent").header("traceparent", "00-" + TRACE + "-" + PARENT + "-00").GET().build()));
        assertEquals("00", parentOff[3], "parent_base follows an unsampled parent");
        String[] parentOn = traceparentAtUpstream(gw.send(gw.request("/parent").header("traceparent", "00-" + TRACE + "-" + PARENT + "-01").GET().build()));
        assertEquals("01", parentOn[3], "parent_base follows a sampled parent");
        String[] root = traceparentAtUpstream(gw.get("/parent"));
        assertEquals("01", root[3], "parent_base's root sampler (always_on) decides without a parent");

        assertNotNull(receiver.await(r -> r.spanId().equals(ratio1[2])));
        assertNotNull(receiver.await(r -> r.spanId().equals(parentOn[2])));
        assertNotNull(receiver.await(r -> r.spanId().equals(root[2])));
        Thread.sleep(300);
        for (String id : new String[] {off[2], ratio0[2], parentOff[2]}) {
            assertTrue(receiver.spans.stream().noneMatch(r -> r.spanId().equals(id)), "unsampled span " + id + " was exported");
        }
    }

    @Test
    void aFullQueueDropsSpansAndCountsThem() throws Exception {
        try (OtlpReceiver slow = new OtlpReceiver();
             UpstreamServer up = UpstreamServer.start("up2")) {
            slow.delayMillis = 1500;
            try (TestGateway small = PluginGateway.startWithSettings("""
                      metrics: { address: "127.0.0.1:0" }
                      plugin_attr:
                        opentelemetry:
                          trace_id_source: x-request-id
                          collector: { address: "%s" }
                          batch_span_processor: { max_queue_size: 2, max_export_batch_size: 1, batch_timeout: 0.01 }
                    """.formatted(slow.address()), """
                    routes:
                      - { id: r, uri: /r, plugins: { opentelemetry: { sampler: { name: always_on } } }, upstream: { nodes: { "%s": 1 } } }
                    """.formatted(up.address()))) {
                String requestId = "5C3A9F0E1B2D4C6E8F0A1B2C3D4E5F60";
                String[] fromId = traceparentAtUpstream(small.send(small.request("/r").header("X-Request-Id", requestId).GET().build()));
                assertEquals(requestId.toLowerCase(), fromId[1], "trace_id_source: x-request-id");
                String[] notHex = traceparentAtUpstream(small.send(small.request("/r").header("X-Request-Id", "not-a-trace-id").GET().build()));
                assertEquals(32, notHex[1].length());
                for (int i = 0; i < 30; i++) {
                    assertEquals(200, small.get("/r").statusCode());
                }
                double dropped = dropped(small.metrics());
                assertTrue(dropped >= 20, "dropped " + dropped);
            }
        }
    }

    private static double dropped(String metrics) {
        Matcher m = Pattern.compile("tidegate_plugin_entries_dropped_total\\{plugin=\"opentelemetry\"[^}]*\\} ([0-9.eE+]+)").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
