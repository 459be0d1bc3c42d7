package io.tidegate.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.testing.TestGateway;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One transcribed request and what APISIX's test expects of its answer:
 * <ul>
 *   <li>where it goes: the proxy listener, {@code admin: true} the Admin API (with APISIX's test
 *       key unless its headers carry one or it says {@code api_key: false}), {@code metrics: true}
 *       the Prometheus listener's {@code /metrics};</li>
 *   <li>what it sends: {@code method}, {@code path}, {@code headers}, {@code body} (text, or YAML
 *       sent as JSON), after {@code sleep} seconds, {@code repeat} times;</li>
 *   <li>what it checks: {@code status} (a number or {@code 2xx}), {@code response_body},
 *       {@code response_body_like} / {@code response_body_unlike} (regexes), {@code response_json}
 *       ({@link JsonPattern}), {@code response_headers} (null = absent),
 *       {@code response_headers_present}, {@code response_headers_like}; what the test upstream's
 *       {@code /log} received next ({@code upstream_log_json}, {@code upstream_log_like}); a request
 *       the 1981 upstream received since this one was sent ({@code upstream_1981_received_like}: a
 *       regex or a list, all matching one request rendered a line each as {@code method: GET},
 *       {@code upstream_http_version: 1.1}, each header {@code name: value} by lower-case name,
 *       sorted, then {@code uri: /path?query} as received, {@code ^}/{@code $} at lines: a
 *       mirror's copy, say); the last
 *       line of a log file ({@code file_log_json} / {@code file_log_like}: path, json / regex);
 *       what a log or trace collector received since ({@code received_like: {TCP_3000: regex}},
 *       {@code received_none: [HTTP_9411]}, {@link LogReceivers});
 *       {@code consistent: true}: every repeat got the same body; {@code same_body_as: K}: the body
 *       request K of the case got.</li>
 * </ul>
 * A listed difference keeps APISIX's expectation and checks Tidegate's instead:
 * {@code body_differs: {tidegate, why}} for the body, {@code status_differs: {tidegate, why}}.
 */
final class ReplayedRequest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LOG_WAIT_MILLIS = 3000;
    /** How long a request right after an Admin API write may take to see it served. */
    private static final long PROPAGATION_MILLIS = 5000;

    /** What the requests of one case share. */
    static final class Session {
        final TestGateway gateway;
        final ApisixTestUpstream upstream;
        /** The upstream on APISIX's 1981, which keeps what it receives ({@code upstream_1981_received_like}). */
        final ApisixTestUpstream upstream1981;
        /** The loggers' and tracers' collectors ({@code received_like}, {@code received_none}). */
        final LogReceivers receivers;
        final Path logDir;
        /** An Admin API write succeeded and no proxied request has seen it served yet. */
        boolean unseenWrite;
        /** The body each request of the case got (its last repeat's), by index. */
        final List<String> bodies = new ArrayList<>();

        Session(TestGateway gateway, ApisixTestUpstream upstream, ApisixTestUpstream upstream1981, LogReceivers receivers, Path logDir) {
            this.gateway = gateway;
            this.upstream = upstream;
            this.upstream1981 = upstream1981;
            this.receivers = receivers;
            this.logDir = logDir;
        }
    }

    private final JsonNode r;
    private final String which;

    ReplayedRequest(JsonNode r, String which) {
        this.r = r;
        this.which = which;
    }

    void replay(Session session) throws Exception {
        if (r.has("sleep")) {
            Thread.sleep(Math.round(r.path("sleep").asDouble() * 1000));
        }
        int times = r.path("repeat").asInt(1);
        String first = null;
        String body = null;
        for (int i = 0; i < times; i++) {
            String label = times > 1 ? which + " (" + (i + 1) + " of " + times + ")" : which;
            body = once(session, label);
            first = first == null ? body : first;
            if (r.path("consistent").asBoolean(false)) {
                assertEquals(first, body, label + ": every repeat gets the same answer");
            }
        }
        if (r.has("same_body_as")) {
            assertEquals(session.bodies.get(r.path("same_body_as").asInt()), body, which + ": the same answer as request " + r.path("same_body_as"));
        }
        session.bodies.add(body);
    }

    private String once(Session session, String label) throws Exception {
        boolean admin = r.path("admin").asBoolean(false);
        int loggedBefore = session.upstream.loggedCount();
        long receivedBefore = session.upstream1981.receivedMark();
        Map<String, Integer> receiversBefore = session.receivers.marks();
        TestNginxClient.Answer response = send(session);
        if (!admin && !r.path("metrics").asBoolean(false) && session.unseenWrite) {
            // etcd delivers an Admin API write to the serving version asynchronously, as in APISIX
            long deadline = System.nanoTime() + PROPAGATION_MILLIS * 1_000_000;
            while (!statusMatches(response.status()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                response = send(session);
            }
            session.unseenWrite = false;
        }
        if (admin && response.status() < 300 && !r.path("method").asText("GET").equals("GET")) {
            session.unseenWrite = true;
        }
        check(response, label, expectations(session.logDir));
        checkUpstreamLog(session, loggedBefore, label);
        checkReceived1981(session, receivedBefore, label);
        checkReceivers(session, receiversBefore, label);
        checkFileLog(session, label);
        return response.body();
    }

    private TestNginxClient.Answer send(Session session) throws JsonProcessingException {
        String method = r.path("method").asText("GET");
        JsonNode bodyNode = r.path("body");
        String body = ApisixConformanceTest.substitute(bodyNode.isMissingNode() || bodyNode.isNull() ? ""
                : bodyNode.isTextual() ? bodyNode.asText() : JSON.writeValueAsString(bodyNode), session.logDir);
        String path = ApisixConformanceTest.substitute(r.path("path").asText("/"), session.logDir);
        boolean admin = r.path("admin").asBoolean(false);
        InetSocketAddress target;
        if (admin) {
            target = session.gateway.gateway().adminAddress();
        } else if (r.path("metrics").asBoolean(false)) {
            target = session.gateway.gateway().metricsAddress();
            path = "/metrics";
        } else {
            target = session.gateway.gateway().listenerAddresses().get(0);
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        boolean keyGiven = false;
        for (Map.Entry<String, JsonNode> h : fields(r.path("headers"))) {
            headers.add(Map.entry(h.getKey(), ApisixConformanceTest.substitute(h.getValue().asText(), session.logDir)));
            keyGiven |= h.getKey().equalsIgnoreCase("X-API-KEY");
        }
        if (admin && !keyGiven && r.path("api_key").asBoolean(true)) {
            headers.add(Map.entry("X-API-KEY", ApisixConformanceTest.ADMIN_KEY));
        }
        return TestNginxClient.send(new InetSocketAddress("127.0.0.1", target.getPort()), method, path, headers, body);
    }

    private boolean statusMatches(int status) {
        JsonNode expected = r.has("status_differs") ? r.path("status_differs").path("tidegate") : r.path("status");
        if (expected.isMissingNode()) {
            return status == 200;
        }
        return expected.asText().equals("2xx") ? status >= 200 && status < 300 : status == expected.asInt();
    }

    /** {@code r} with the case's placeholders replaced in its expectations too (an upstream address as a node key, say). */
    private JsonNode expectations(Path logDir) {
        try {
            return JSON.readTree(ApisixConformanceTest.substitute(JSON.writeValueAsString(r), logDir));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void check(TestNginxClient.Answer response, String label, JsonNode e) {
        String seen = label + " answered " + response.status() + " " + response.headers() + " " + response.body();
        assertTrue(statusMatches(response.status()), "status: " + seen);
        if (e.has("body_differs")) {
            assertEquals(e.path("body_differs").path("tidegate").asText(), response.body(), seen);
        } else if (e.has("response_body")) {
            assertEquals(e.path("response_body").asText(), response.body(), seen);
        }
        for (String like : texts(e.path("response_body_like"))) {
            assertTrue(Pattern.compile(like).matcher(response.body()).find(), "body like /" + like + "/: " + seen);
        }
        for (String unlike : texts(e.path("response_body_unlike"))) {
            assertFalse(Pattern.compile(unlike).matcher(response.body()).find(), "body unlike /" + unlike + "/: " + seen);
        }
        if (e.has("response_json")) {
            assertNull(JsonPattern.mismatch(e.path("response_json"), parse(response.body(), seen)), seen);
        }
        for (String present : texts(e.path("response_headers_present"))) {
            assertTrue(response.header(present).isPresent(), present + " is missing: " + seen);
        }
        for (Map.Entry<String, JsonNode> header : fields(e.path("response_headers"))) {
            assertEquals(header.getValue().isNull() ? null : header.getValue().asText(),
                    response.header(header.getKey()).orElse(null), header.getKey() + ": " + seen);
        }
        for (Map.Entry<String, JsonNode> header : fields(e.path("response_headers_like"))) {
            String value = response.header(header.getKey()).orElse("");
            assertTrue(Pattern.compile(header.getValue().asText()).matcher(value).find(), header.getKey() + ": " + seen);
        }
    }

    /**
     * A batch logger sends when its batch is full or has waited long enough, so the body this
     * request's entry went out in may come after one started by earlier requests: any body
     * POSTed since the request was sent may match, within the wait.
     */
    private void checkUpstreamLog(Session session, int before, String label) throws InterruptedException {
        JsonNode r = expectations(session.logDir);
        if (!r.has("upstream_log_json") && !r.has("upstream_log_like")) {
            return;
        }
        long deadline = System.nanoTime() + LOG_WAIT_MILLIS * 1_000_000;
        List<String> seen = List.of();
        do {
            seen = session.upstream.loggedSince(before);
            if (seen.stream().anyMatch(body -> upstreamLogMatches(r, body))) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        fail(label + ": no body POSTed to the test upstream's /log matched; got " + seen);
    }

    private static boolean upstreamLogMatches(JsonNode r, String body) {
        if (r.has("upstream_log_json")) {
            try {
                if (JsonPattern.mismatch(r.path("upstream_log_json"), JSON.readTree(body)) != null) {
                    return false;
                }
            } catch (JsonProcessingException e) {
                return false;
            }
        }
        return !r.has("upstream_log_like") || Pattern.compile(r.path("upstream_log_like").asText()).matcher(body).find();
    }

    /**
     * A mirror sends its copy alongside or after the answer, so the copy may arrive after the
     * answer did: any request the 1981 upstream received since this one was sent may match, within
     * the wait. All the regexes must match the same request; {@code ^} and {@code $} match at its
     * lines, as in the error log lines APISIX's cases grep.
     */
    private void checkReceived1981(Session session, long before, String label) throws InterruptedException {
        List<Pattern> likes = texts(expectations(session.logDir).path("upstream_1981_received_like")).stream()
                .map(like -> Pattern.compile(like, Pattern.MULTILINE)).toList();
        if (likes.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + LOG_WAIT_MILLIS * 1_000_000;
        List<String> seen;
        do {
            seen = session.upstream1981.receivedSince(before);
            if (seen.stream().anyMatch(request -> likes.stream().allMatch(like -> like.matcher(request).find()))) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        fail(label + ": no request the 1981 upstream received matched all of " + likes + "; it received "
                + (seen.isEmpty() ? "nothing" : ":\n" + String.join("----\n", seen)));
    }

    /**
     * A logger or tracer sends from its own thread, after the answer: what each named collector
     * received since the request was sent must match all its regexes within the wait
     * ({@code received_like}); a collector of {@code received_none} must get nothing for a second.
     */
    private void checkReceivers(Session session, Map<String, Integer> before, String label) throws InterruptedException {
        JsonNode e = expectations(session.logDir);
        for (Map.Entry<String, JsonNode> receiver : fields(e.path("received_like"))) {
            List<Pattern> likes = texts(receiver.getValue()).stream().map(like -> Pattern.compile(like, Pattern.MULTILINE)).toList();
            long deadline = System.nanoTime() + LOG_WAIT_MILLIS * 1_000_000;
            String got;
            do {
                got = session.receivers.since(receiver.getKey(), before);
                String text = got;
                if (likes.stream().allMatch(like -> like.matcher(text).find())) {
                    break;
                }
                Thread.sleep(20);
            } while (System.nanoTime() < deadline);
            String text = got;
            if (!likes.stream().allMatch(like -> like.matcher(text).find())) {
                fail(label + ": what " + receiver.getKey() + " received does not match all of " + likes + ": "
                        + (got.isEmpty() ? "nothing" : got));
            }
        }
        List<String> none = texts(e.path("received_none"));
        if (!none.isEmpty()) {
            Thread.sleep(1000);
            for (String name : none) {
                String got = session.receivers.since(name, before);
                assertEquals("", got, label + ": " + name + " received");
            }
        }
    }

    private void checkFileLog(Session session, String label) throws Exception {
        JsonNode r = expectations(session.logDir);
        for (String field : List.of("file_log_json", "file_log_like")) {
            if (!r.has(field)) {
                continue;
            }
            JsonNode spec = r.path(field);
            Path file = Path.of(spec.path("path").asText().replace("${LOG_DIR}", session.logDir.toString()));
            long deadline = System.nanoTime() + LOG_WAIT_MILLIS * 1_000_000;
            String problem;
            do {
                problem = fileLogProblem(field, spec, file);
                if (problem != null) {
                    Thread.sleep(50);
                }
            } while (problem != null && System.nanoTime() < deadline);
            if (problem != null) {
                fail(label + ": " + file + ": " + problem);
            }
        }
    }

    private static String fileLogProblem(String field, JsonNode spec, Path file) throws IOException {
        if (!Files.exists(file)) {
            return "not written";
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        if (field.equals("file_log_like")) {
            return Pattern.compile(spec.path("regex").asText()).matcher(last).find() ? null : "last line " + last;
        }
        try {
            String mismatch = JsonPattern.mismatch(spec.path("json"), JSON.readTree(last));
            return mismatch == null ? null : mismatch + " in last line " + last;
        } catch (JsonProcessingException e) {
            return "last line is not JSON: " + last;
        }
    }

    private static JsonNode parse(String text, String seen) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + seen, e);
        }
    }

    private static List<String> texts(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            out.add(node.asText());
        }
        return out;
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode object) {
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        object.fields().forEachRemaining(fields::add);
        return fields;
    }
}
