package io.tidegate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.testing.FreePort;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's {@code prometheus}) scrapes the gateway's APISIX names every
 * second on APISIX's export path, and the queries of APISIX's Grafana dashboard (grafana.com
 * 11719, docs/assets/other/json/apisix-grafana-dashboard.json in APISIX) answer with what the
 * traffic was. Skipped only where the binary is not installed (CI installs it).
 */
class ApisixPrometheusScrapeTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int OK = 30;
    private static final int MISSES = 5;

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @TempDir
    Path dir;

    @Test
    void prometheusScrapesTheGatewayAndTheDashboardsQueriesAnswer() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "Debian's prometheus package is not installed");
        try (TestGateway gw = TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  metrics: { address: "127.0.0.1:0", names: apisix }
                services:
                  - { id: s1 }
                routes:
                  - { id: r1, uri: "/api/*", service_id: s1, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()))) {
            int webPort = FreePort.pick();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: apisix
                        metrics_path: /apisix/prometheus/metrics
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                    """.formatted(gw.gateway().metricsAddress().getPort()));
            Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + webPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                String api = "http://127.0.0.1:" + webPort;
                await(() -> get(api + "/-/ready") == 200, "Prometheus ready", 15);
                // two bursts, each seen by a scrape, so that rate() has an increase to measure
                for (int half = 0; half < 2; half++) {
                    for (int i = half * OK / 2; i < (half + 1) * OK / 2; i++) {
                        assertEquals(200, gw.get("/api/item-" + i).statusCode());
                        if (i % (OK / MISSES) == 0) {
                            assertEquals(404, gw.get("/missing-" + i).statusCode());
                        }
                    }
                    int sent = (half + 1) * OK / 2;
                    await(() -> value(query(api, "sum(apisix_http_status{route=\"r1\",code=\"200\"})")) == sent,
                            sent + " of r1's 200s scraped", 15);
                }

                assertEquals(1.0, value(query(api, "up{job=\"apisix\"}")), "the exposition parses");

                Map<String, Double> byCode = byLabel(query(api, "sum(rate(apisix_http_status[1m])) by (code)"), "code");
                assertEquals(Set.of("200", "404"), byCode.keySet(), byCode.toString());
                assertTrue(byCode.get("200") > 0 && byCode.get("404") > 0, byCode.toString());

                Map<String, Double> byRoute = byLabel(query(api,
                        "sum(rate(apisix_http_status{service=~\".*\",route=~\".*\"}[1m])) by (route)"), "route");
                assertTrue(byRoute.get("r1") > 0, byRoute.toString());
                assertTrue(labelValues(api, "route").contains("r1"), "the dashboard's $route variable");
                assertTrue(labelValues(api, "service").contains("s1"), "the dashboard's $service variable");
                assertTrue(labelValues(api, "node").contains("127.0.0.1"), "the dashboard's $node variable");

                for (String type : new String[] {"request", "upstream", "apisix"}) {
                    double p99 = value(query(api, "histogram_quantile(0.99, sum(rate(apisix_http_latency_bucket{type=~\"" + type
                            + "\",service=~\".*\",consumer=~\".*\",node=~\".*\",route=~\".*\"}[1m])) by (le))"));
                    assertTrue(p99 > 0 && p99 <= 60_000, type + " p99 in milliseconds: " + p99);
                }

                Map<String, Double> bandwidth = byLabel(query(api, "sum(apisix_bandwidth{route=\"r1\"}) by (type)"), "type");
                assertEquals(Set.of("ingress", "egress"), bandwidth.keySet());
                assertTrue(bandwidth.get("ingress") >= OK * "GET /api/item-0 HTTP/1.1\r\n".length(), bandwidth.toString());
                assertTrue(bandwidth.get("egress") >= OK * "HTTP/1.1 200 OK\r\n".length(), bandwidth.toString());
                assertTrue(byLabel(query(api, "sum(rate(apisix_bandwidth[1m])) by (type)"), "type").get("egress") > 0);

                assertTrue(value(query(api, "sum(apisix_http_requests_total)")) >= OK + MISSES);
                assertTrue(value(query(api, "sum(apisix_nginx_http_current_connections{state=\"accepted\"})")) >= 1);
                assertTrue(value(query(api, "sum(apisix_nginx_http_current_connections{state=\"handled\"})")) >= 1);
                Map<String, Double> states = byLabel(query(api,
                        "sum(apisix_nginx_http_current_connections{state=~\"active|reading|writing|waiting\"}) by (state)"), "state");
                assertEquals(Set.of("active", "writing", "waiting"), states.keySet(), "reading has no JVM equivalent");
                assertEquals(1.0, value(query(api, "count(apisix_node_info)")));
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    private static int get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The result vector of an instant query. */
    private static JsonNode query(String api, String expression) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/query?query="
                + URLEncoder.encode(expression, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), expression + ": " + response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals("success", body.get("status").asText(), response.body());
        return body.get("data").get("result");
    }

    /** The single sample's value, NaN when there is none. */
    private static double value(JsonNode result) {
        return result.size() == 1 ? Double.parseDouble(result.get(0).get("value").get(1).asText()) : Double.NaN;
    }

    private static Map<String, Double> byLabel(JsonNode result, String label) {
        Map<String, Double> out = new HashMap<>();
        for (JsonNode sample : result) {
            out.put(sample.get("metric").path(label).asText(), Double.parseDouble(sample.get("value").get(1).asText()));
        }
        return out;
    }

    /** Grafana's {@code label_values(apisix_http_status, label)}. */
    private static Set<String> labelValues(String api, String label) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/label/" + label + "/values?match[]="
                + URLEncoder.encode("apisix_http_status", StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        Set<String> values = new HashSet<>();
        JSON.readTree(response.body()).get("data").forEach(v -> values.add(v.asText()));
        return values;
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(Check check, String what, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!check.holds()) {
            assertTrue(System.nanoTime() < deadline, what + " within " + seconds + " s");
            Thread.sleep(200);
        }
    }
}
