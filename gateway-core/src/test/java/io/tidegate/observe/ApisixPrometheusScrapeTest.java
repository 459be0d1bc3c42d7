package io.tidegate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.testing.EtcdKeySpace;
import io.tidegate.testing.EtcdServer;
import io.tidegate.testing.FreePort;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.UpstreamServer;
import io.tidegate.testplugins.HeaderAuthPlugin;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's {@code prometheus}) scrapes the gateway's APISIX names every
 * second on APISIX's export path, and every query of APISIX's Grafana dashboard (grafana.com
 * 11719) — each panel's expressions and each template variable's {@code label_values} — answers
 * through Prometheus's HTTP API, with the variables substituted as Grafana does. The gateway takes
 * its configuration from a real etcd, as APISIX does, so that the dashboard's etcd panels have
 * something to show. Skipped only where the binaries are not installed (CI installs them).
 */
class ApisixPrometheusScrapeTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Grafana's {@code $__rate_interval} with its default 15 s scrape interval setting: max($__interval + 15s, 4 * 15s). */
    private static final String RATE_INTERVAL = "1m";
    /** Each of these requests is sent once per burst. */
    private static final int PER_BURST = 5;

    /** One target of one panel; {@code emptyBecause} is set where Tidegate cannot answer it. */
    private record Target(String panel, String expr, String emptyBecause) {}

    private static Target target(String panel, String expr) {
        return new Target(panel, expr, null);
    }

    /*
     * Every target of every panel of APISIX's docs/assets/other/json/apisix-grafana-dashboard.json,
     * transcribed from apache/apisix commit 45679ae7d5283967f89428fa547ab90f057cc518 (the file's last
     * change; the same at f519a0f04ccfd4c13b5d06caf34bcde8c8593980), in the dashboard's order and
     * named by the panel's title. None of them is an instant query, so Grafana asks query_range.
     */
    private static final List<Target> TARGETS = List.of(
            target("Total Requests", "sum(apisix_http_requests_total{instance=~\"$instance\"})"),
            target("Accepted Connections", "sum(apisix_nginx_http_current_connections{state=\"accepted\", instance=~\"$instance\"})"),
            target("Handled Connections", "sum(apisix_nginx_http_current_connections{state=\"handled\", instance=~\"$instance\"})"),
            target("Nginx connection state",
                    "sum(apisix_nginx_http_current_connections{state=~\"active|reading|writing|waiting\", instance=~\"$instance\"}) by (state)"),
            target("Total Bandwidth", "sum(rate(apisix_bandwidth{instance=~\"$instance\"}[$__rate_interval])) by (type)"),
            target("Ingress per service/route", "sum(irate(apisix_bandwidth{type=\"ingress\", service =~\"$service\",route=~\"$route\","
                    + "instance=~\"$instance\"}[$__rate_interval])) by (service)"),
            target("Ingress per service/route", "sum(irate(apisix_bandwidth{type=\"ingress\", service =~\"$service\",route=~\"$route\","
                    + "instance=~\"$instance\"}[$__rate_interval])) by (route)"),
            target("Egress per service/route", "sum(rate(apisix_bandwidth{type=\"egress\", service =~\"$service\",route=~\"$route\","
                    + "instance=~\"$instance\"}[$__rate_interval])) by (service)"),
            target("Egress per service/route", "sum(rate(apisix_bandwidth{type=\"egress\", service =~\"$service\",route=~\"$route\","
                    + "instance=~\"$instance\"}[$__rate_interval])) by (route)"),
            target("Requests per second (RPS) by status code",
                    "sum(rate(apisix_http_status{service=~\"$service\",route=~\"$route\",instance=~\"$instance\"}[$__rate_interval])) by (code)"),
            target("Total requests per second (RPS)", "sum(rate(apisix_http_status{instance=~\"$instance\"}[$__rate_interval]))"),
            target("Requests per second (RPS) per service/route",
                    "sum(rate(apisix_http_status{service=~\"$service\",route=~\"$route\",instance=~\"$instance\"}[$__rate_interval])) by (service)"),
            target("Requests per second (RPS) per service/route",
                    "sum(rate(apisix_http_status{service=~\"$service\",route=~\"$route\",instance=~\"$instance\"}[$__rate_interval])) by (route)"),
            latency("Request Latency", "0.90", "request"),
            latency("Request Latency", "0.95", "request"),
            latency("Request Latency", "0.99", "request"),
            latency("APISIX Latency", "0.90", "apisix"),
            latency("APISIX Latency", "0.95", "apisix"),
            latency("APISIX Latency", "0.99", "apisix"),
            latency("Upstream Latency", "0.90", "upstream"),
            latency("Upstream Latency", "0.95", "upstream"),
            latency("Upstream Latency", "0.99", "upstream"),
            target("Etcd modify indexes", "sum(apisix_etcd_modify_indexes{key=~\"consumers|global_rules|max_modify_index|prev_index|protos"
                    + "|routes|services|ssls|stream_routes|upstreams|x_etcd_index\"}) by (key)"),
            target("Etcd reachable", "sum(apisix_etcd_reachable{instance=~\"$instance\"})"),
            target("Nginx metric errors", "sum(apisix_nginx_metric_errors_total{instance=~\"$instance\"})"),
            new Target("Nginx shared dict free space percent",
                    "(apisix_shared_dict_free_space_bytes * 100) / on (name) apisix_shared_dict_capacity_bytes",
                    "nginx's lua_shared_dict zones have no Tidegate equivalent, so neither series is served"));

    /** The three latency panels differ only in the quantile and the type. */
    private static Target latency(String panel, String quantile, String type) {
        return target(panel, "histogram_quantile(" + quantile + ", sum(rate(apisix_http_latency_bucket{type=~\"" + type
                + "\",service=~\"$service\",consumer=~\"$consumer\",node=~\"$node\",route=~\"$route\"}[$__rate_interval])) by (le))");
    }

    /**
     * The dashboard's template variables, from the same file: each is a multi-value query variable
     * with "All" ({@code allValue: ".*"}). {@code instance}'s query is the first; its definition
     * (what Grafana's editor shows) names the other metric, so both are asked.
     */
    private static final Map<String, String> VARIABLES = new LinkedHashMap<>();

    static {
        VARIABLES.put("service", "label_values(apisix_http_status,service)");
        VARIABLES.put("route", "label_values(apisix_http_status,route)");
        VARIABLES.put("instance", "label_values(apisix_http_status,instance)");
        VARIABLES.put("consumer", "label_values(apisix_http_status,consumer)");
        VARIABLES.put("node", "label_values(apisix_http_status,node)");
    }

    private static final String INSTANCE_DEFINITION = "label_values(apisix_nginx_http_current_connections,instance)";

    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer();

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @RegisterExtension
    final EtcdKeySpace keys = new EtcdKeySpace(etcd);

    @TempDir
    Path dir;

    @Test
    void prometheusAnswersEveryQueryOfTheDashboard() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "Debian's prometheus package is not installed");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        TestPluginJars.install(plugins, "auth.jar", "auth", "1", HeaderAuthPlugin.class);
        String nobody = "127.0.0.1:" + FreePort.pick();
        keys.put("/upstreams/u1", "{\"id\":\"u1\",\"type\":\"roundrobin\",\"nodes\":{\"" + upstream.address() + "\":1}}");
        keys.put("/services/s1", "{\"id\":\"s1\",\"upstream_id\":\"u1\"}");
        keys.put("/routes/r1", "{\"id\":\"r1\",\"uri\":\"/api/*\",\"service_id\":\"s1\"}");
        keys.put("/routes/r2", "{\"id\":\"r2\",\"uri\":\"/user/*\",\"service_id\":\"s1\",\"plugins\":{\"header-auth\":{}}}");
        keys.put("/routes/r3", "{\"id\":\"r3\",\"uri\":\"/down\",\"upstream\":{\"type\":\"roundrobin\",\"nodes\":{\"" + nobody + "\":1}}}");
        keys.put("/consumers/alice", "{\"username\":\"alice\",\"plugins\":{\"header-auth\":{\"token\":\"t-alice\"}}}");
        try (TestGateway gw = TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  metrics: { address: "127.0.0.1:0", names: apisix }
                  etcd: { endpoints: ["%s"], prefix: %s, timeout: 2 }
                """.formatted(plugins, etcd.endpoint(), keys.prefix()))) {
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
                String started = now();
                // two bursts, each seen by a scrape, so that rate() and irate() have an increase to measure
                for (int burst = 1; burst <= 2; burst++) {
                    for (int i = 0; i < PER_BURST; i++) {
                        assertEquals(200, gw.get("/api/item-" + i).statusCode());
                        assertEquals(200, gw.send(gw.request("/user/" + i).header("X-Token", "t-alice").GET().build()).statusCode());
                        assertEquals(401, gw.get("/user/" + i).statusCode());
                        assertEquals(404, gw.get("/missing-" + i).statusCode());
                        assertEquals(502, gw.get("/down").statusCode());
                    }
                    int sent = burst * PER_BURST;
                    await(() -> value(query(api, "sum(apisix_http_status{route=\"r2\",code=\"401\"})")) == sent,
                            sent + " of r2's 401s scraped", 15);
                }

                // a range query evaluates once a step (1 s) from its start: let the last burst's scrape
                // fall before the last evaluation, as it does on a dashboard left open
                Thread.sleep(2000);
                assertEquals(1.0, value(query(api, "up{job=\"apisix\"}")), "the exposition parses");

                // the variables, as Grafana's query editor fills them: label_values(metric, label)
                Map<String, List<String>> values = new LinkedHashMap<>();
                VARIABLES.forEach((name, q) -> values.put(name, labelValues(api, q, started)));
                assertEquals(List.of("s1"), values.get("service"));
                assertEquals(List.of("r1", "r2", "r3"), values.get("route"));
                assertEquals(List.of("127.0.0.1:" + gw.gateway().metricsAddress().getPort()), values.get("instance"));
                assertEquals(values.get("instance"), labelValues(api, INSTANCE_DEFINITION, started));
                assertEquals(List.of("alice"), values.get("consumer"));
                assertEquals(List.of("127.0.0.1"), values.get("node"));

                // every target, once with each variable on "All" and once with all its values picked one by one
                Map<String, String> all = new HashMap<>();
                Map<String, String> picked = new HashMap<>();
                values.forEach((name, list) -> {
                    all.put(name, ".*");
                    picked.put(name, multiValue(list));
                });
                List<String> failures = new ArrayList<>();
                for (Target t : TARGETS) {
                    for (Map<String, String> vars : List.of(all, picked)) {
                        String expr = substitute(t.expr(), vars);
                        int finite = finitePoints(queryRange(api, expr, started, now()));
                        if (t.emptyBecause() == null && finite == 0) {
                            failures.add(t.panel() + ": no data for " + expr);
                        } else if (t.emptyBecause() != null && finite != 0) {
                            failures.add(t.panel() + ": listed as empty (" + t.emptyBecause() + ") but answers " + expr);
                        }
                    }
                }
                assertTrue(failures.isEmpty(), String.join("\n", failures));

                // and what the main panels show is what the traffic was
                Map<String, Double> byCode = byLabel(query(api, all(
                        "sum(rate(apisix_http_status{service=~\"$service\",route=~\"$route\",instance=~\"$instance\"}[$__rate_interval])) by (code)")),
                        "code");
                assertEquals(Set.of("200", "401", "404", "502"), byCode.keySet(), byCode.toString());
                byCode.values().forEach(rate -> assertTrue(rate > 0, byCode.toString()));
                Map<String, Double> byRoute = byLabel(query(api, all(
                        "sum(rate(apisix_http_status{service=~\"$service\",route=~\"$route\",instance=~\"$instance\"}[$__rate_interval])) by (route)")),
                        "route");
                assertEquals(Set.of("", "r1", "r2", "r3"), byRoute.keySet(), "the 404s have no route: " + byRoute);
                for (String type : new String[] {"request", "upstream", "apisix"}) {
                    double p99 = value(query(api, all(latency("", "0.99", type).expr())));
                    assertTrue(p99 > 0 && p99 <= 60_000, type + " p99 in milliseconds: " + p99);
                }
                Map<String, Double> bandwidth = byLabel(query(api, "sum(apisix_bandwidth{route=\"r1\"}) by (type)"), "type");
                assertEquals(Set.of("ingress", "egress"), bandwidth.keySet());
                int r1Requests = 2 * PER_BURST;
                assertTrue(bandwidth.get("ingress") >= r1Requests * "GET /api/item-0 HTTP/1.1\r\n".length(), bandwidth.toString());
                assertTrue(bandwidth.get("egress") >= r1Requests * "HTTP/1.1 200 OK\r\n".length(), bandwidth.toString());
                assertTrue(value(query(api, "sum(apisix_http_requests_total)")) >= 2 * 5 * PER_BURST);
                assertTrue(value(query(api, "sum(apisix_nginx_http_current_connections{state=\"accepted\"})")) >= 1);
                assertTrue(value(query(api, "sum(apisix_nginx_http_current_connections{state=\"handled\"})")) >= 1);
                Map<String, Double> states = byLabel(query(api,
                        "sum(apisix_nginx_http_current_connections{state=~\"active|reading|writing|waiting\"}) by (state)"), "state");
                assertEquals(Set.of("active", "writing", "waiting"), states.keySet(), "reading has no JVM equivalent");
                Map<String, Double> indexes = byLabel(query(api, TARGETS.stream()
                        .filter(t -> t.panel().equals("Etcd modify indexes")).findFirst().orElseThrow().expr()), "key");
                assertFalse(indexes.containsKey("prev_index"), "a global-rules cache detail of APISIX's");
                assertTrue(indexes.get("routes") > 0 && indexes.get("consumers") > 0 && indexes.get("x_etcd_index") >= indexes.get("routes"),
                        indexes.toString());
                assertEquals(1.0, value(query(api, "sum(apisix_etcd_reachable)")));
                assertEquals(0.0, value(query(api, "sum(apisix_nginx_metric_errors_total)")));
                assertEquals(1.0, value(query(api, "count(apisix_node_info)")));
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(5, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    /** Unix seconds as the HTTP API takes them. */
    private static String now() {
        return String.format(java.util.Locale.ROOT, "%.3f", System.currentTimeMillis() / 1000.0);
    }

    /** Each {@code $name} replaced by its value, and Grafana's interval variables by durations. */
    private static String substitute(String expr, Map<String, String> vars) {
        String out = expr.replace("$__rate_interval", RATE_INTERVAL);
        for (Map.Entry<String, String> v : vars.entrySet()) {
            out = out.replace("$" + v.getKey(), v.getValue());
        }
        assertFalse(out.contains("$"), "a variable left: " + out);
        return out;
    }

    /** Every variable on "All". */
    private static String all(String expr) {
        Map<String, String> all = new HashMap<>();
        VARIABLES.keySet().forEach(name -> all.put(name, ".*"));
        return substitute(expr, all);
    }

    /**
     * Grafana's Prometheus data source for a multi-value variable: each value's regex metacharacters
     * escaped (a backslash written twice, as a PromQL string needs), one value alone, several as
     * {@code (a|b)}.
     */
    private static String multiValue(List<String> values) {
        List<String> escaped = new ArrayList<>();
        for (String v : values) {
            escaped.add(v.replace("\\", "\\\\\\\\").replaceAll("[$^*{}\\[\\]'+?.()|]", "\\\\\\\\$0"));
        }
        return escaped.size() == 1 ? escaped.get(0) : "(" + String.join("|", escaped) + ")";
    }

    private static int get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static JsonNode api(String url, String what) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), what + ": " + response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals("success", body.get("status").asText(), response.body());
        return body.get("data");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The result vector of an instant query. */
    private static JsonNode query(String api, String expression) throws Exception {
        return api(api + "/api/v1/query?query=" + encode(expression), expression).get("result");
    }

    /** The result matrix of a range query, one point a second, as Grafana asks for a graph. */
    private static JsonNode queryRange(String api, String expression, String start, String end) throws Exception {
        return api(api + "/api/v1/query_range?query=" + encode(expression) + "&start=" + start + "&end=" + end + "&step=1",
                expression).get("result");
    }

    /** How many points of a matrix Grafana would draw (NaN and infinities are gaps). */
    private static int finitePoints(JsonNode matrix) {
        int n = 0;
        for (JsonNode series : matrix) {
            for (JsonNode point : series.get("values")) {
                n += Double.isFinite(Double.parseDouble(point.get(1).asText())) ? 1 : 0;
            }
        }
        return n;
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

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((\\w+),(\\w+)\\)");

    /**
     * Grafana's {@code label_values(metric,label)} over the dashboard's time range: the label's
     * values on the metric's series, sorted. Prometheus leaves out the empty value.
     */
    private static List<String> labelValues(String api, String variableQuery, String start) {
        Matcher m = LABEL_VALUES.matcher(variableQuery);
        assertTrue(m.matches(), variableQuery);
        try {
            JsonNode data = api(api + "/api/v1/label/" + m.group(2) + "/values?match[]=" + encode(m.group(1)) + "&start=" + start
                    + "&end=" + now(), variableQuery);
            TreeSet<String> values = new TreeSet<>();
            data.forEach(v -> values.add(v.asText()));
            assertFalse(values.isEmpty(), variableQuery + " has no values");
            return new ArrayList<>(values);
        } catch (Exception e) {
            throw new AssertionError(variableQuery, e);
        }
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
