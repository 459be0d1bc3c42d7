package io.tidegate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigLoader;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.UpstreamServer;
import io.tidegate.testplugins.HeaderAuthPlugin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tidegate.metrics.names: apisix}: the exposition has APISIX's names, labels, buckets and
 * units, as its prometheus plugin's tests (t/plugin/prometheus*.t) expect them, and labels only
 * from configuration.
 */
class ApisixMetricsTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final String AI = "request_type=\"traditional_http\",request_llm_model=\"\",llm_model=\"\"";

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @TempDir
    Path root;

    private TestGateway gateway() throws Exception {
        Path plugins = Files.createDirectories(root.resolve("plugins"));
        TestPluginJars.install(plugins, "auth.jar", "auth", "1", HeaderAuthPlugin.class);
        return TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  metrics: { address: "127.0.0.1:0", names: apisix }
                services:
                  - { id: s1, upstream: { nodes: { "%s": 1 } } }
                routes:
                  - { id: r1, uri: "/api/*", hosts: ["127.0.0.1"], upstream: { nodes: { "%s": 1 } } }
                  - { id: r2, uris: ["/user/:id", "/b"], service_id: s1, plugins: { header-auth: {} } }
                  - id: r3
                    uri: /checked
                    upstream:
                      nodes: { "%s": 1 }
                      checks: { active: { http_path: /health, healthy: { interval: 60 }, unhealthy: { interval: 60 } } }
                consumers:
                  - { username: alice, plugins: { header-auth: { token: t-alice } } }
                """.formatted(plugins, upstream.address(), upstream.address(), upstream.address()));
    }

    /** Every sample, in order, by name and labels as they are written. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a Prometheus sample line: " + line);
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.valueOf(m.group(3)));
        }
        return samples;
    }

    private static String scrape(TestGateway gw, String path) throws Exception {
        int port = gw.gateway().metricsAddress().getPort();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path);
        return response.body();
    }

    @Test
    void servesApisixNamesLabelsAndBuckets() throws Exception {
        try (TestGateway gw = gateway()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, gw.get("/api/x" + i).statusCode());
            }
            assertEquals(200, gw.send(gw.request("/user/42").header("X-Token", "t-alice").GET().build()).statusCode());
            assertEquals(200, gw.send(gw.request("/b").header("X-Token", "t-alice").GET().build()).statusCode());
            assertEquals(401, gw.get("/user/7").statusCode());
            assertEquals(404, gw.get("/nowhere").statusCode());
            String text = scrape(gw, "/metrics");
            Map<String, Double> s = samples(text);
            String node = "127.0.0.1";

            assertEquals(3.0, s.get("apisix_http_status{code=\"200\",route=\"r1\",matched_uri=\"/api/*\",matched_host=\"127.0.0.1\","
                    + "service=\"\",consumer=\"\",node=\"" + node + "\"," + AI + "}"), text);
            assertEquals(1.0, s.get("apisix_http_status{code=\"200\",route=\"r2\",matched_uri=\"/user/:id\",matched_host=\"\","
                    + "service=\"s1\",consumer=\"alice\",node=\"" + node + "\"," + AI + "}"), text);
            assertEquals(1.0, s.get("apisix_http_status{code=\"200\",route=\"r2\",matched_uri=\"/b\",matched_host=\"\","
                    + "service=\"s1\",consumer=\"alice\",node=\"" + node + "\"," + AI + "}"), text);
            assertEquals(1.0, s.get("apisix_http_status{code=\"401\",route=\"r2\",matched_uri=\"/user/:id\",matched_host=\"\","
                    + "service=\"s1\",consumer=\"\",node=\"\"," + AI + "}"), "rejected before any node was picked: " + text);
            assertEquals(1.0, s.get("apisix_http_status{code=\"404\",route=\"\",matched_uri=\"\",matched_host=\"\","
                    + "service=\"\",consumer=\"\",node=\"\"," + AI + "}"), text);

            String r1 = "route=\"r1\",service=\"\",consumer=\"\",node=\"" + node + "\"," + AI;
            List<String> le = new ArrayList<>();
            Matcher bucket = Pattern.compile("apisix_http_latency_bucket\\{type=\"request\"," + Pattern.quote(r1) + ",le=\"([^\"]+)\"}")
                    .matcher(text);
            while (bucket.find()) {
                le.add(bucket.group(1));
            }
            assertEquals(List.of("1", "2", "5", "10", "20", "50", "100", "200", "500", "1000", "2000", "5000", "10000", "30000",
                    "60000", "+Inf"), le, "APISIX's default buckets, in milliseconds");
            for (String type : List.of("request", "upstream", "apisix")) {
                assertEquals(3.0, s.get("apisix_http_latency_count{type=\"" + type + "\"," + r1 + "}"), type);
                assertEquals(3.0, s.get("apisix_http_latency_bucket{type=\"" + type + "\"," + r1 + ",le=\"+Inf\"}"), type);
                double sum = s.get("apisix_http_latency_sum{type=\"" + type + "\"," + r1 + "}");
                assertTrue(sum >= 0 && sum < 30_000, "milliseconds, not seconds or nanoseconds: " + sum);
            }
            assertTrue(s.get("apisix_http_latency_sum{type=\"request\"," + r1 + "}") >= s.get("apisix_http_latency_sum{type=\"upstream\"," + r1 + "}"));
            assertFalse(s.containsKey("apisix_http_latency_count{type=\"upstream\",route=\"\",service=\"\",consumer=\"\",node=\"\"," + AI + "}"),
                    "no upstream latency where no upstream answered");
            assertEquals(1.0, s.get("apisix_http_latency_count{type=\"apisix\",route=\"\",service=\"\",consumer=\"\",node=\"\"," + AI + "}"));

            // request line + header + body: at least "GET /api/x0 HTTP/1.1\r\n" and a Host header per request
            assertTrue(s.get("apisix_bandwidth{type=\"ingress\"," + r1 + "}") >= 3 * ("GET /api/x0 HTTP/1.1\r\n".length() + 10));
            // status line + header + the echo's body
            assertTrue(s.get("apisix_bandwidth{type=\"egress\"," + r1 + "}") > 3 * ("HTTP/1.1 200 OK\r\n".length() + "up".length()));

            assertTrue(s.get("apisix_http_requests_total") >= 7, text);
            assertTrue(s.get("apisix_nginx_http_current_connections{state=\"accepted\"}") >= 1, text);
            assertTrue(s.get("apisix_nginx_http_current_connections{state=\"handled\"}") >= 1, text);
            for (String state : List.of("active", "waiting", "writing")) {
                assertTrue(s.containsKey("apisix_nginx_http_current_connections{state=\"" + state + "\"}"), state);
            }
            assertFalse(s.containsKey("apisix_nginx_http_current_connections{state=\"reading\"}"), "no JVM equivalent: not made up");
            assertEquals(1.0, s.get("apisix_upstream_status{name=\"/apisix/routes/r3\",ip=\"127.0.0.1\",port=\""
                    + upstream.address().substring(upstream.address().indexOf(':') + 1) + "\"}"), text);
            assertTrue(text.contains("apisix_node_info{hostname=\""), text);
            assertEquals(0.0, s.get("apisix_nginx_metric_errors_total"));
            assertTrue(text.contains("# TYPE apisix_http_status counter\n"));
            assertTrue(text.contains("# TYPE apisix_http_latency histogram\n"));
            assertTrue(text.contains("# TYPE apisix_http_requests_total gauge\n"));

            assertFalse(text.contains("tidegate_requests_total"), "per-request series only under one set of names");
            assertFalse(text.contains("tidegate_upstream_node_healthy"));
            assertEquals(1.0, s.get("tidegate_config_version"), "the gateway's own state stays");
            assertEquals(samples(text).keySet().stream().filter(k -> k.startsWith("apisix_http_status")).count(),
                    samples(scrape(gw, "/apisix/prometheus/metrics")).keySet().stream().filter(k -> k.startsWith("apisix_http_status")).count(),
                    "APISIX's export path serves the same");
        }
    }

    @Test
    void clientsCannotCreateSeriesOrLabelValues() throws Exception {
        try (TestGateway gw = gateway()) {
            gw.get("/api/one");
            String before = scrape(gw, "/metrics");
            for (int i = 0; i < 20; i++) {
                gw.get("/api/evil" + i + "?q=evil");
                gw.send(gw.request("/user/evil" + i).header("X-Token", "t-alice").header("X-Consumer-Username", "evil").GET().build());
                gw.get("/evil-" + i);
            }
            String after = scrape(gw, "/metrics");
            assertEquals(names(before, "apisix_http_status").size() + 2, names(after, "apisix_http_status").size(),
                    "only r2's 200 for alice and the first unmatched 404 are new: " + after);
            Matcher label = LABEL.matcher(after);
            while (label.find()) {
                assertFalse(label.group(2).contains("evil"), "client text in a label: " + label.group());
            }
        }
    }

    private static List<String> names(String text, String prefix) {
        return samples(text).keySet().stream().filter(k -> k.startsWith(prefix + "{")).toList();
    }

    @Test
    void theSettingIsValidatedByName() throws Exception {
        Path file = root.resolve("config.yaml");
        Files.writeString(file, """
                tidegate:
                  metrics: { address: "127.0.0.1:0", names: prometheus }
                """);
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> new ConfigLoader().load(file));
        assertTrue(e.errors().stream().anyMatch(m -> m.contains("tidegate.metrics.names") && m.contains("\"apisix\"")), e.errors().toString());
    }

    @Test
    void histogramBucketsHoldTheirUpperBound() {
        ApisixMetrics.Histogram h = new ApisixMetrics.Histogram();
        h.observe(1.0);
        h.observe(1.5);
        h.observe(60_000.5);
        assertEquals(1, h.counts[0].sum(), "le=1 holds 1.0");
        assertEquals(1, h.counts[1].sum(), "le=2 holds 1.5");
        assertEquals(1, h.counts[ApisixMetrics.BUCKETS_MS.length].sum(), "+Inf holds the rest");
    }

    @Test
    void nodeAddressesReadAsApisixReportsThem() {
        assertEquals("10.0.0.1", NodeAddress.ip("10.0.0.1:8080"));
        assertEquals("8080", NodeAddress.port("10.0.0.1:8080"));
        assertEquals("::1", NodeAddress.ip("[::1]:80"));
        assertEquals("80", NodeAddress.port("[::1]:80"));
        assertEquals("10.1.2.3", NodeAddress.ip("backend.local:81 (10.1.2.3)"));
        assertEquals("81", NodeAddress.port("backend.local:81 (10.1.2.3)"));
        assertEquals("", NodeAddress.ip(""));
    }

    @Test
    void healthCheckerNamesBecomeApisixResourceKeys() {
        ApisixMetrics m = new ApisixMetrics("1.0");
        assertEquals("/apisix/upstreams/u1", m.resourceKey("u1"));
        assertEquals("/apisix/routes/7", m.resourceKey("route 7"));
        assertEquals("/apisix/services/s", m.resourceKey("service s"));
    }
}
