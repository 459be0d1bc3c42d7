package io.tidegate.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tidegate.testing.TestGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * APISIX's own test files, transcribed case by case into {@code apisix/**.yaml} (each case names
 * its file and TEST number), replayed against the real gateway with the bundled plugin jars and an
 * upstream that answers as APISIX's test upstream does. A case APISIX runs as Lua, or that needs
 * what Tidegate does not have, is listed with the reason it is not applicable; the README's table
 * counts them. Where Tidegate answers differently on purpose or for now, the request carries
 * {@code body_differs: {tidegate: ..., why: ...}}, or the case {@code tidegate_refuses: <error>} /
 * {@code tidegate_accepts: <why>}, next to APISIX's expectation; the README lists each.
 */
class ApisixConformanceTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static ApisixTestUpstream upstream;
    private static Path plugins;

    @BeforeAll
    static void upstreamAndPlugins() throws IOException {
        upstream = ApisixTestUpstream.start();
        plugins = Files.createTempDirectory("tidegate-conformance-plugins");
        Path dist = Path.of(System.getProperty("plugins.dist", "../plugins-dist"));
        try (Stream<Path> jars = Files.list(dist)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.copy(jar, plugins.resolve(jar.getFileName()));
            }
        }
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @TestFactory
    Stream<DynamicNode> apisixTestFiles() throws Exception {
        Path root = Path.of(ApisixConformanceTest.class.getClassLoader().getResource("apisix").toURI());
        try (Stream<Path> files = Files.walk(root)) {
            List<String> names = files.filter(f -> f.toString().endsWith(".yaml")).sorted()
                    .map(f -> "apisix/" + root.relativize(f).toString().replace('\\', '/')).toList();
            return names.stream().map(ApisixConformanceTest::file);
        }
    }

    private static DynamicNode file(String resource) {
        JsonNode document = read(resource);
        List<DynamicNode> cases = new ArrayList<>();
        for (JsonNode c : document.path("cases")) {
            String name = document.path("source").asText() + " TEST " + c.path("test").asText() + ": " + c.path("title").asText();
            if (c.has("not_applicable")) {
                continue; // counted in the README, not run
            }
            cases.add(DynamicTest.dynamicTest(name, () -> replay(name, c)));
        }
        return DynamicContainer.dynamicContainer(document.path("source").asText(), cases);
    }

    private static JsonNode read(String resource) {
        try (var in = ApisixConformanceTest.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing " + resource);
            }
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String config(JsonNode c) {
        return """
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: "%s"
                """.formatted(plugins) + c.path("config").asText().replace("${UPSTREAM}", upstream.address());
    }

    private static void replay(String name, JsonNode c) {
        // differences the README lists: what Tidegate does instead is checked, APISIX's expectation stays in the case
        if (c.has("tidegate_refuses")) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TestGateway.start(config(c)).close(),
                    name + ": Tidegate refuses this configuration (a listed difference)");
            assertTrue(refused.getMessage().contains(c.path("tidegate_refuses").asText()), name + ": " + refused.getMessage());
            return;
        }
        if (c.has("tidegate_accepts")) {
            TestGateway.start(config(c)).close();
            return;
        }
        if (c.has("config_error")) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TestGateway.start(config(c)).close(),
                    name + ": APISIX refuses this configuration");
            assertTrue(refused.getMessage().contains(c.path("config_error").asText()), name + ": " + refused.getMessage());
            return;
        }
        try (TestGateway gw = TestGateway.start(config(c))) {
            int i = 0;
            for (JsonNode r : c.path("requests")) {
                check(gw, r, name + ", request " + i++);
            }
        }
    }

    private static void check(TestGateway gw, JsonNode r, String which) {
        String method = r.path("method").asText("GET");
        String body = r.path("body").asText("");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + r.path("path").asText("/")))
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        r.path("headers").fields().forEachRemaining(h -> request.header(h.getKey(), h.getValue().asText()));
        HttpResponse<String> response = gw.send(request.build());
        String seen = which + " answered " + response.statusCode() + " " + response.headers().map() + " " + response.body();
        assertEquals(r.path("status").asInt(200), response.statusCode(), seen);
        if (r.has("body_differs")) {
            // a difference the README lists: APISIX's body is kept in the case, Tidegate's is checked
            assertEquals(r.path("body_differs").path("tidegate").asText(), response.body(), seen);
        } else if (r.has("response_body")) {
            assertEquals(r.path("response_body").asText(), response.body(), seen);
        }
        if (r.has("response_body_like")) {
            assertTrue(Pattern.compile(r.path("response_body_like").asText()).matcher(response.body()).find(), seen);
        }
        for (JsonNode present : r.path("response_headers_present")) {
            assertTrue(response.headers().firstValue(present.asText()).isPresent(), present.asText() + " is missing: " + seen);
        }
        for (Map.Entry<String, JsonNode> header : iterable(r.path("response_headers"))) {
            assertEquals(header.getValue().isNull() ? null : header.getValue().asText(),
                    response.headers().firstValue(header.getKey()).orElse(null), seen);
        }
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        object.fields().forEachRemaining(fields::add);
        return fields;
    }
}
