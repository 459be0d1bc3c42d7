package io.tidegate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.config.ConfigLoader;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Prometheus exporter: its text parses, and it moves with traffic and reloads. */
class MetricsTest {
    /** {@code name{labels} value}: every sample line of the text format. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$");

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static String resources(String extra) {
        return """
                routes:
                  - { id: api, uri: "/api/*", upstream: { nodes: { "%s": 1 } } }
                %s""".formatted(upstream.address(), extra);
    }

    private static TestGateway gateway() {
        return TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  metrics: { address: "127.0.0.1:0" }
                """ + resources(""));
    }

    private static Map<String, Double> scrape(TestGateway gw) throws Exception {
        int port = gw.gateway().metricsAddress().getPort();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a Prometheus sample line: " + line);
            samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.valueOf(m.group(3)));
        }
        return samples;
    }

    @Test
    void countsRequestsByRouteAndStatusWithLatencyHistograms() throws Exception {
        try (TestGateway gw = gateway()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, gw.get("/api/x").statusCode());
            }
            assertEquals(404, gw.get("/nowhere").statusCode());
            Map<String, Double> samples = scrape(gw);
            assertEquals(3.0, samples.get("tidegate_requests_total{route=\"api\",status=\"200\"}"));
            assertEquals(1.0, samples.get("tidegate_requests_total{route=\"none\",status=\"404\"}"));
            assertEquals(3.0, samples.get("tidegate_request_duration_seconds_count{route=\"api\"}"));
            assertEquals(3.0, samples.get("tidegate_upstream_duration_seconds_count{route=\"api\"}"));
            assertTrue(samples.containsKey("tidegate_request_duration_seconds_bucket{route=\"api\",le=\"0.005\"}"), samples.keySet().toString());
            assertTrue(samples.get("tidegate_bandwidth_bytes_total{route=\"api\",type=\"egress\"}") > 0);
            assertEquals(1.0, samples.get("tidegate_config_version"));

            gw.get("/api/again");
            assertEquals(4.0, scrape(gw).get("tidegate_requests_total{route=\"api\",status=\"200\"}"), "moves with traffic");
        }
    }

    @Test
    void configReloadsAreCountedAndTheVersionFollows() throws Exception {
        try (TestGateway gw = gateway()) {
            gw.gateway().apply(new ConfigLoader().load(TestGateway.write(resources(""))).resources());
            Map<String, Double> samples = scrape(gw);
            assertEquals(2.0, samples.get("tidegate_config_version"));
            assertEquals(1.0, samples.get("tidegate_config_reloads_total{reason=\"config\"}"));
        }
    }

    @Test
    void clientsCannotCreateSeries() throws Exception {
        try (TestGateway gw = gateway()) {
            for (int i = 0; i < 20; i++) {
                gw.get("/random-" + i + "?x=" + i);
            }
            long routeLabels = scrape(gw).keySet().stream().filter(k -> k.startsWith("tidegate_requests_total")).count();
            assertEquals(1, routeLabels, "all unmatched requests share route=none");
        }
    }
}
