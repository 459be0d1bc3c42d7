package io.tidegate.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.config.ConfigLoader;
import io.tidegate.testing.SwitchableNode;
import io.tidegate.testing.TestCertificates;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active and passive health checks against real nodes that fail, crash and come back; the status
 * listener and the metrics show what the checks decided.
 */
class HealthCheckTest {
    private static final String FAST_ACTIVE = """
            active:
              http_path: /health
              healthy: { interval: 0.1, successes: 2 }
              unhealthy: { interval: 0.1, http_failures: 2, tcp_failures: 2 }
            """;
    /** Probes once at start, then not for a minute: what happens is the passive checks' doing. */
    private static final String SLOW_ACTIVE = """
            active:
              http_path: /health
              healthy: { interval: 60 }
              unhealthy: { interval: 60 }
            """;

    private final List<SwitchableNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        nodes.forEach(SwitchableNode::close);
    }

    private SwitchableNode node(String name) {
        SwitchableNode node = SwitchableNode.start(name);
        nodes.add(node);
        return node;
    }

    private static String config(String checks, String extraRoutes, SwitchableNode... nodes) {
        StringBuilder list = new StringBuilder();
        for (SwitchableNode node : nodes) {
            list.append(list.length() == 0 ? "" : ", ").append('"').append(node.address()).append("\": 1");
        }
        return """
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  status: { address: "127.0.0.1:0" }
                  metrics: { address: "127.0.0.1:0" }
                routes:
                  - { id: main, uri: "/*", upstream_id: u }
                %s
                upstreams:
                  - id: u
                    nodes: { %s }
                    checks:
                %s
                """.formatted(extraRoutes.indent(2), list, checks.indent(6));
    }

    /** Who answered each of {@code count} sequential requests, by body; errors as "status NNN". */
    private static Map<String, Integer> spread(TestGateway gw, int count) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> response = gw.get("/work");
            seen.merge(response.statusCode() == 200 ? response.body() : "status " + response.statusCode(), 1, Integer::sum);
        }
        return seen;
    }

    private static String state(TestGateway gw, SwitchableNode node) {
        for (JsonNode upstream : gw.status("/status/upstreams").get("upstreams")) {
            for (JsonNode n : upstream.get("nodes")) {
                if (n.get("address").asText().equals(node.address())) {
                    return n.get("status").asText();
                }
            }
        }
        return "not checked";
    }

    /** Polls the status listener until the node is in that state; returns how long it took. */
    private static long await(TestGateway gw, SwitchableNode node, String wanted, long timeoutMillis) throws InterruptedException {
        long start = System.nanoTime();
        while (!state(gw, node).equals(wanted)) {
            if (System.nanoTime() - start > timeoutMillis * 1_000_000) {
                throw new AssertionError(node.name() + " still " + state(gw, node) + " after " + timeoutMillis + " ms");
            }
            Thread.sleep(10);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void awaitFirstProbes(SwitchableNode... nodes) throws InterruptedException {
        for (SwitchableNode node : nodes) {
            for (int i = 0; node.probeCount() == 0; i++) {
                assertTrue(i < 300, node.name() + " was never probed");
                Thread.sleep(10);
            }
        }
        Thread.sleep(50); // the probes' results reach their nodes' health just after the answer
    }

    @Test
    void activeChecksEjectANodeAnsweringErrorsAndReadmitItWhenItRecovers() throws Exception {
        SwitchableNode a = node("a");
        SwitchableNode b = node("b");
        try (TestGateway gw = TestGateway.start(config(FAST_ACTIVE, "", a, b))) {
            assertEquals(Map.of("a", 5, "b", 5), spread(gw, 10));
            a.healthStatus(500);
            await(gw, a, "unhealthy", 3000);
            assertEquals(Map.of("b", 10), spread(gw, 10));
            assertTrue(gw.metrics().contains("tidegate_upstream_node_healthy{node=\"" + a.address() + "\",upstream=\"u\"} 0.0"),
                    gw.metrics());
            assertTrue(gw.metrics().contains("tidegate_upstream_node_healthy{node=\"" + b.address() + "\",upstream=\"u\"} 1.0"));

            a.healthStatus(200);
            await(gw, a, "healthy", 3000);
            assertEquals(Map.of("a", 5, "b", 5), spread(gw, 10));
        }
    }

    @Test
    void aNodeWhosePortClosesIsEjectedByTcpFailuresAndBackSoonAfterItReopens() throws Exception {
        SwitchableNode a = node("a");
        SwitchableNode b = node("b");
        try (TestGateway gw = TestGateway.start(config(FAST_ACTIVE, "", a, b))) {
            a.stop();
            await(gw, a, "unhealthy", 3000);
            int before = a.trafficCount();
            assertEquals(Map.of("b", 10), spread(gw, 10));
            a.start();
            long back = await(gw, a, "healthy", 3000);
            // successes x interval = 200 ms, plus up to one tick of waiting for the first probe
            assertTrue(back < 1000, "readmitted after " + back + " ms");
            assertEquals(Map.of("a", 5, "b", 5), spread(gw, 10));
            assertEquals(before + 5, a.trafficCount());
        }
    }

    @Test
    void passiveChecksEjectOnRealTrafficWithoutWaitingForAProbe() throws Exception {
        SwitchableNode a = node("a");
        SwitchableNode b = node("b");
        String checks = SLOW_ACTIVE + """
                passive:
                  unhealthy: { http_statuses: [500], http_failures: 3 }
                """;
        try (TestGateway gw = TestGateway.start(config(checks, "", a, b))) {
            awaitFirstProbes(a, b);
            a.trafficStatus(500);
            // round robin: a answers 500 three times in a row, then is passed over
            assertEquals(Map.of("status 500", 3, "b", 17), spread(gw, 20));
            assertEquals("unhealthy", state(gw, a));
            assertEquals(3, a.trafficCount());
        }
    }

    @Test
    void passiveChecksCountRefusedConnectionsAsTcpFailures() throws Exception {
        SwitchableNode a = node("a");
        SwitchableNode b = node("b");
        try (TestGateway gw = TestGateway.start(config(SLOW_ACTIVE + "passive: {}\n", "", a, b))) {
            awaitFirstProbes(a, b);
            a.stop();
            // each refused connect is retried on b, so the client sees no error at all
            assertEquals(Map.of("b", 10), spread(gw, 10));
            assertEquals("unhealthy", state(gw, a), "2 tcp failures (passive default)");
        }
    }

    @Test
    void anUnrelatedConfigChangeKeepsHealthStateAndARemovedUpstreamStopsBeingProbed() throws Exception {
        SwitchableNode a = node("a");
        SwitchableNode b = node("b");
        String checks = SLOW_ACTIVE + """
                passive:
                  unhealthy: { http_statuses: [500], http_failures: 1 }
                """;
        try (TestGateway gw = TestGateway.start(config(checks, "", a, b))) {
            awaitFirstProbes(a, b);
            a.trafficStatus(500);
            spread(gw, 2);
            assertEquals("unhealthy", state(gw, a));

            String withAnotherRoute = config(checks, "- { id: extra, uri: /extra, upstream: { nodes: { \""
                    + b.address() + "\": 1 } } }", a, b);
            gw.gateway().apply(new ConfigLoader().load(TestGateway.write(withAnotherRoute)).resources());
            assertEquals("unhealthy", state(gw, a), "the edit did not touch upstream u");
            assertEquals(Map.of("b", 10), spread(gw, 10));

            String withoutChecks = """
                    tidegate:
                      listeners: [{ address: "127.0.0.1:0" }]
                    routes:
                      - { id: main, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                    """.formatted(b.address());
            gw.gateway().apply(new ConfigLoader().load(TestGateway.write(withoutChecks)).resources());
            assertEquals(0, gw.status("/status/upstreams").get("upstreams").size());
            int probes = a.probeCount() + b.probeCount();
            Thread.sleep(300);
            assertEquals(probes, a.probeCount() + b.probeCount());
        }
    }

    @Test
    void probesSendTheConfiguredHostAndHeaders() throws Exception {
        SwitchableNode a = node("a");
        String checks = """
                active:
                  http_path: /health
                  host: health.example
                  req_headers: ["X-Probe: tidegate", "User-Agent: checker"]
                  healthy: { interval: 60 }
                  unhealthy: { interval: 60 }
                """;
        try (TestGateway gw = TestGateway.start(config(checks, "", a))) {
            awaitFirstProbes(a);
            assertEquals("health.example:" + a.address().split(":")[1], a.lastProbeHeaders().getFirst("Host"));
            assertEquals("tidegate", a.lastProbeHeaders().getFirst("X-Probe"));
            assertEquals("checker", a.lastProbeHeaders().getFirst("User-Agent"));
        }
    }

    @Test
    void httpsProbesVerifyTheCertificateAgainstTheProbeHost(@TempDir Path dir) throws Exception {
        TestCertificates ca = TestCertificates.newAuthority("Health Test CA");
        Path caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, ca.ca().certPem());
        try (UpstreamServer https = UpstreamServer.start("https", ca.issue("upstream.test", "upstream.test").serverContext(null))) {
            String every = "healthy: { interval: 0.1 }, unhealthy: { interval: 0.1 }";
            try (TestGateway gw = TestGateway.start("""
                    tidegate:
                      listeners: [{ address: "127.0.0.1:0" }]
                      status: { address: "127.0.0.1:0" }
                      ssl_trusted_certificate: %1$s
                    routes:
                      - { id: 1, uri: /right, upstream_id: right }
                      - { id: 2, uri: /wrong, upstream_id: wrong }
                      - { id: 3, uri: /unverified, upstream_id: unverified }
                      - { id: 4, uri: /tcp, upstream_id: tcp }
                    upstreams:
                      - { id: right, scheme: https, nodes: { "%2$s": 1 }, checks: { active: { type: https, host: upstream.test, %3$s } } }
                      - { id: wrong, scheme: https, nodes: { "%2$s": 1 }, checks: { active: { type: https, host: other.test, %3$s } } }
                      - id: unverified
                        scheme: https
                        nodes: { "%2$s": 1 }
                        checks: { active: { type: https, host: other.test, https_verify_certificate: false, %3$s } }
                      - { id: tcp, nodes: { "%2$s": 1 }, checks: { active: { type: tcp, %3$s } } }
                    """.formatted(caFile, https.address(), every))) {
                Thread.sleep(800);
                Map<String, String> states = new HashMap<>();
                for (JsonNode upstream : gw.status("/status/upstreams").get("upstreams")) {
                    states.put(upstream.get("name").asText(), upstream.get("nodes").get(0).get("status").asText());
                }
                assertEquals(Map.of("right", "healthy", "wrong", "unhealthy", "unverified", "healthy", "tcp", "healthy"), states);
            }
        }
    }

    @Test
    void whenEveryNodeIsUnhealthyTrafficStillGoesToAll() throws Exception {
        SwitchableNode a = node("a").healthStatus(503);
        SwitchableNode b = node("b").healthStatus(503);
        try (TestGateway gw = TestGateway.start(config(FAST_ACTIVE, "", a, b))) {
            await(gw, a, "unhealthy", 3000);
            await(gw, b, "unhealthy", 3000);
            assertEquals(Map.of("a", 5, "b", 5), spread(gw, 10));
        }
    }

    /**
     * One of three nodes crashes under load and restarts: the client sees at most the requests that
     * were in flight on it (refused connects are retried elsewhere), and the node takes traffic again
     * within successes x interval of coming back.
     */
    @Test
    void killingOneOfThreeNodesUnderLoadCostsAtMostItsInFlightRequests() throws Exception {
        SwitchableNode a = node("a");
        SwitchableNode b = node("b");
        SwitchableNode c = node("c");
        int clients = 4;
        try (TestGateway gw = TestGateway.start(config(FAST_ACTIVE, "", a, b, c))) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Thread thread = new Thread(() -> {
                    while (running.get()) {
                        try {
                            (gw.get("/work").statusCode() == 200 ? ok : failed).incrementAndGet();
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
            Thread.sleep(500);
            c.stop();
            await(gw, c, "unhealthy", 3000);
            Thread.sleep(500);
            int whileDown = c.trafficCount();
            c.start();
            long restarted = System.nanoTime();
            while (c.trafficCount() == whileDown) {
                assertTrue(System.nanoTime() - restarted < 3_000_000_000L, "c never got traffic back");
                Thread.sleep(5);
            }
            long backMillis = (System.nanoTime() - restarted) / 1_000_000;
            Thread.sleep(300);
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
            System.out.printf("kill one of three under load: %d ok, %d failed, traffic back on the node %d ms after restart%n",
                    ok.get(), failed.get(), backMillis);
            assertTrue(failed.get() <= clients, failed.get() + " failed requests; at most " + clients + " were in flight");
            assertTrue(backMillis < 1000, "back after " + backMillis + " ms (successes x interval = 200 ms)");
            assertTrue(ok.get() > 100, "the load ran: " + ok.get());
        }
    }
}
