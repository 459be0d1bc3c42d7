package io.tidegate.conformance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tidegate.plugin.PluginRegistry;
import io.tidegate.testing.EtcdServer;
import io.tidegate.testing.GrpcExampleServers;
import io.tidegate.testing.TestGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.DeleteOption;
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
 * {@code body_differs: {tidegate: ..., why: ...}} (or {@code status_differs}), or the case
 * {@code tidegate_refuses: <error>} / {@code tidegate_accepts: <why>}, next to APISIX's
 * expectation; the README lists each. Differences found later live beside the transcription, in
 * {@code tidegate-differences/**.yaml} ({@link Differences}).
 *
 * <p>A case runs on a fresh gateway: from its {@code config} (the file format), or, with
 * {@code admin: true}, empty on a fresh etcd prefix with the Admin API (set up by its requests),
 * or, with {@code admin: standalone}, empty with the Admin API and no etcd. What a request may
 * check is {@link ReplayedRequest}'s. {@code tidegate:} (text) adds settings to the gateway's own
 * section, where APISIX's test changes its {@code config.yaml}. {@code ${UPSTREAM}} (APISIX's
 * 127.0.0.1:1980), {@code ${UPSTREAM_1981}}, {@code ${UPSTREAM_1982}}, {@code ${UPSTREAM_1986}}
 * (proxy-cache's origin, {@link CacheTestServer}), {@code ${FAKE_1970}}..{@code ${FAKE_1974}}
 * ({@link PortEchoServers}), their ports alone ({@code ${UPSTREAM_PORT}},
 * {@code ${UPSTREAM_PORT_1981}}, {@code ${UPSTREAM_PORT_1982}}, {@code ${UPSTREAM_PORT_1986}}), APISIX's
 * gRPC test servers ({@code ${GRPC_UPSTREAM}}, {@code ${GRPC_WEB_UPSTREAM}}, {@link GrpcExampleServers})
 * the log and trace collectors ({@code ${TCP_3000}}, {@code ${HTTP_4318}}, ..., {@link LogReceivers})
 * and {@code ${LOG_DIR}} (a fresh folder) are replaced in configurations, {@code tidegate:}
 * settings and requests.
 */
class ApisixConformanceTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** APISIX's test suite's admin key, so that transcribed headers carry over unchanged. */
    static final String ADMIN_KEY = "edd1c9f034335f136f87ad84b625c8f1";

    private static ApisixTestUpstream upstream;
    /**
     * APISIX's tests run server.lua on 1981 and 1982 too; {@code /server_port} tells which answered.
     * What 1981 receives is checked by {@code upstream_1981_received_like} (a mirror's target).
     */
    private static ApisixTestUpstream upstream1981;
    private static ApisixTestUpstream upstream1982;
    private static CacheTestServer cacheOrigin;
    private static PortEchoServers portEchoes;
    /** APISIX's gRPC test servers: {@code ${GRPC_UPSTREAM}} (its 10051) and {@code ${GRPC_WEB_UPSTREAM}} (its 50001). */
    private static GrpcExampleServers grpc;
    /** The loggers' and tracers' collectors ({@code ${TCP_3000}}, {@code ${HTTP_4318}}, ...). */
    private static LogReceivers receivers;
    private static Path plugins;
    /**
     * The bundled jars, loaded once for every case's gateway (as one gateway keeps them across its
     * configuration versions): a start that loaded them all again was most of a case's time.
     */
    private static PluginRegistry loadedPlugins;
    private static EtcdServer etcd;

    @BeforeAll
    static void upstreamAndPlugins() throws IOException {
        upstream = ApisixTestUpstream.start(1980);
        upstream1981 = ApisixTestUpstream.start(1981);
        upstream1982 = ApisixTestUpstream.start(1982);
        cacheOrigin = CacheTestServer.start();
        portEchoes = new PortEchoServers(1970, 1974);
        grpc = new GrpcExampleServers();
        receivers = new LogReceivers();
        // zipkin reports after 5 s without a new span (APISIX's batch processor for it); a case waits less
        System.setProperty("tidegate.zipkin.inactive_ms", "200");
        plugins = io.tidegate.testing.TempDirs.create("tidegate-conformance-plugins");
        Path dist = Path.of(System.getProperty("plugins.dist", "../plugins-dist"));
        try (Stream<Path> jars = Files.list(dist)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.copy(jar, plugins.resolve(jar.getFileName()));
            }
        }
        loadedPlugins = new PluginRegistry(plugins, 0);
        loadedPlugins.sync();
    }

    @AfterAll
    static void stopServers() {
        upstream.close();
        upstream1981.close();
        upstream1982.close();
        cacheOrigin.close();
        portEchoes.close();
        grpc.close();
        receivers.close();
        loadedPlugins.close();
        if (etcd != null) {
            etcd.close();
        }
    }

    /** The etcd Admin API cases share, with nothing under APISIX's prefix (the keys its answers name): cases run one at a time. */
    private static synchronized EtcdServer emptyEtcd() {
        if (etcd == null) {
            etcd = new EtcdServer();
            etcd.start();
        }
        try (Client client = Client.builder().endpoints(etcd.endpoint()).build()) {
            ByteSequence prefix = ByteSequence.from("/apisix", StandardCharsets.UTF_8);
            client.getKVClient().delete(prefix, DeleteOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot empty etcd for the next case", e);
        }
        return etcd;
    }

    @TestFactory
    Stream<DynamicNode> apisixTestFiles() throws Exception {
        Path root = Path.of(ApisixConformanceTest.class.getClassLoader().getResource("apisix").toURI());
        try (Stream<Path> files = Files.walk(root)) {
            // -Dconformance.only=admin/standalone,plugin/cors replays the files whose path contains one of them
            List<String> only = List.of(System.getProperty("conformance.only", "").split(","));
            List<String> names = files.filter(f -> f.toString().endsWith(".yaml") && only.stream().anyMatch(f.toString()::contains)).sorted()
                    .map(f -> "apisix/" + root.relativize(f).toString().replace('\\', '/')).toList();
            return names.stream().map(ApisixConformanceTest::file);
        }
    }

    private static DynamicNode file(String resource) {
        JsonNode document = read(resource);
        String overlay = resource.replaceFirst("^apisix/", "tidegate-differences/");
        if (ApisixConformanceTest.class.getClassLoader().getResource(overlay) != null) {
            Differences.apply(document.path("cases"), read(overlay), read("tidegate-differences/kinds.yaml"), document.path("source").asText());
        }
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

    private static String config(JsonNode c, Path logDir) {
        String mode = c.path("admin").asText("false");
        String source = switch (mode) {
            case "true" -> """
                      etcd: { endpoints: ["%s"], prefix: /apisix, timeout: 2 }
                      admin: { address: "127.0.0.1:0", api_key: %s }
                    """.formatted(emptyEtcd().endpoint(), ADMIN_KEY);
            case "standalone" -> """
                      admin: { address: "127.0.0.1:0", api_key: %s }
                    """.formatted(ADMIN_KEY);
            default -> "";
        };
        // a setting may name a place as the configuration does (a log file under ${LOG_DIR}, say)
        String settings = substitute(c.path("tidegate").asText(""), logDir).lines().map(line -> "  " + line + "\n").reduce("", String::concat);
        return """
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  metrics: { address: "127.0.0.1:0" }
                  plugins_dir: "%s"
                """.formatted(plugins) + source + settings + substitute(c.path("config").asText(), logDir);
    }

    /** The case's placeholders: the test upstreams' addresses and its log folder. */
    static String substitute(String text, Path logDir) {
        return receivers.substitute(portEchoes.substitute(text)).replace("${UPSTREAM_PORT_1981}", Integer.toString(upstream1981.port()))
                .replace("${UPSTREAM_PORT_1982}", Integer.toString(upstream1982.port()))
                .replace("${UPSTREAM_PORT_1986}", Integer.toString(cacheOrigin.port()))
                .replace("${UPSTREAM_PORT}", Integer.toString(upstream.port()))
                .replace("${UPSTREAM_1981}", upstream1981.address()).replace("${UPSTREAM_1982}", upstream1982.address())
                .replace("${UPSTREAM_1986}", cacheOrigin.address())
                .replace("${GRPC_UPSTREAM}", grpc.exampleAddress()).replace("${GRPC_WEB_UPSTREAM}", grpc.webAddress())
                .replace("${UPSTREAM}", upstream.address()).replace("${LOG_DIR}", logDir.toString());
    }

    private static void replay(String name, JsonNode c) throws Exception {
        Path logDir = io.tidegate.testing.TempDirs.create("tidegate-conformance-logs");
        // differences the README lists: what Tidegate does instead is checked, APISIX's expectation stays in the case
        if (c.has("tidegate_refuses")) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TestGateway.start(config(c, logDir), loadedPlugins).close(),
                    name + ": Tidegate refuses this configuration (a listed difference)");
            assertTrue(refused.getMessage().contains(c.path("tidegate_refuses").asText()), name + ": " + refused.getMessage());
            return;
        }
        if (c.has("tidegate_accepts")) {
            TestGateway.start(config(c, logDir), loadedPlugins).close();
            return;
        }
        if (c.has("config_error")) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> TestGateway.start(config(c, logDir), loadedPlugins).close(),
                    name + ": APISIX refuses this configuration");
            assertTrue(refused.getMessage().contains(c.path("config_error").asText()), name + ": " + refused.getMessage());
            return;
        }
        TestGateway started;
        try {
            started = TestGateway.start(config(c, logDir), loadedPlugins);
        } catch (IllegalStateException e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        }
        try (TestGateway gw = started) {
            ReplayedRequest.Session session = new ReplayedRequest.Session(gw, upstream, upstream1981, receivers, logDir);
            int i = 0;
            for (JsonNode r : c.path("requests")) {
                new ReplayedRequest(r, name + ", request " + i++).replay(session);
            }
        }
    }
}
