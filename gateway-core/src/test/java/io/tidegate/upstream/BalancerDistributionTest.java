package io.tidegate.upstream;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.FreePort;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each balancer through the real gateway, against three real upstream servers. */
class BalancerDistributionTest {
    @RegisterExtension
    static final UpstreamServer one = new UpstreamServer("one");
    @RegisterExtension
    static final UpstreamServer two = new UpstreamServer("two");
    @RegisterExtension
    static final UpstreamServer three = new UpstreamServer("three");
    @RegisterExtension
    // well above a cold first request's latency, which ewma remembers for a while (10 s decay)
    static final UpstreamServer slow = new UpstreamServer("slow").delay(150);

    private static TestGateway gateway(String upstreamFields) {
        return TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream_id: u }
                upstreams:
                  - id: u
                    nodes: { "%s": 1, "%s": 2, "%s": 3 }
                %s
                """.formatted(one.address(), two.address(), three.address(), upstreamFields.indent(4)));
    }

    private static Map<String, Integer> spread(TestGateway gw, int requests, String path) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = gw.get(path);
            assertEquals(200, response.statusCode());
            counts.merge(json(response).get("server").asText(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinIsExactlyProportional() {
        try (TestGateway gw = gateway("type: roundrobin")) {
            assertEquals(Map.of("one", 100, "two", 200, "three", 300), spread(gw, 600, "/rr"));
        }
    }

    @Test
    void randomIsProportionalWithinTolerance() {
        try (TestGateway gw = gateway("type: random")) {
            Map<String, Integer> counts = spread(gw, 1200, "/rand");
            // expected 200/400/600; 5 standard deviations of a binomial is under 90 here
            assertWithin(200, counts.get("one"), 90);
            assertWithin(400, counts.get("two"), 90);
            assertWithin(600, counts.get("three"), 90);
        }
    }

    @Test
    void leastConnSplitsByWeightWhenIdle() {
        try (TestGateway gw = gateway("type: least_conn")) {
            // one request at a time: every node is idle, and ties go by weighted round robin, as nginx
            assertEquals(Map.of("one", 100, "two", 200, "three", 300), spread(gw, 600, "/lc"));
        }
    }

    @Test
    void consistentHashKeepsAKeyOnOneNodeAndSpreadsKeys() {
        try (TestGateway gw = gateway("type: chash\nhash_on: header\nkey: X-User")) {
            Map<String, Integer> perNode = new HashMap<>();
            for (int user = 0; user < 300; user++) {
                Set<String> servers = new HashSet<>();
                for (int repeat = 0; repeat < 3; repeat++) {
                    HttpResponse<String> r = gw.send(gw.request("/ch").header("X-User", "user-" + user).GET().build());
                    servers.add(json(r).get("server").asText());
                }
                assertEquals(1, servers.size(), "user-" + user + " must always reach the same node");
                perNode.merge(servers.iterator().next(), 1, Integer::sum);
            }
            // weights 1:2:3 over 300 keys: about 50/100/150
            assertWithin(50, perNode.get("one"), 35);
            assertWithin(100, perNode.get("two"), 45);
            assertWithin(150, perNode.get("three"), 50);
        }
    }

    @Test
    void consistentHashOnVarsAndCombinations() {
        try (TestGateway gw = gateway("type: chash\nhash_on: vars_combinations\nkey: \"$arg_tenant-$http_x_region\"")) {
            Set<String> servers = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                servers.add(json(gw.send(gw.request("/c?tenant=acme").header("X-Region", "eu").GET().build())).get("server").asText());
            }
            assertEquals(1, servers.size());
        }
    }

    @Test
    void ewmaPrefersTheFasterNode() {
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream: { type: ewma, nodes: { "%s": 1, "%s": 1 } } }
                """.formatted(one.address(), slow.address()))) {
            Map<String, Integer> counts = spread(gw, 200, "/e");
            assertTrue(counts.getOrDefault("one", 0) > 150, "the 150 ms node should be avoided: " + counts);
            assertTrue(counts.getOrDefault("slow", 0) > 0, "the slow node is still probed: " + counts);
        }
    }

    @Test
    void lowerPriorityNodesServeOnlyWhenHigherOnesFail() {
        int dead = FreePort.pick();
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - id: 1
                    uri: /healthy-primary
                    upstream:
                      nodes:
                        - { host: 127.0.0.1, port: %2$d, weight: 1, priority: 10 }
                        - { host: 127.0.0.1, port: %3$d, weight: 1, priority: 0 }
                  - id: 2
                    uri: /dead-primary
                    upstream:
                      nodes:
                        - { host: 127.0.0.1, port: %1$d, weight: 1, priority: 10 }
                        - { host: 127.0.0.1, port: %3$d, weight: 1, priority: 0 }
                """.formatted(dead, one.port(), two.port()))) {
            assertEquals(Map.of("one", 20), spread(gw, 20, "/healthy-primary"), "the backup group stays idle");
            assertEquals(Map.of("two", 20), spread(gw, 20, "/dead-primary"), "every request retried on the backup");
        }
    }

    private static void assertWithin(int expected, Integer actual, int tolerance) {
        assertTrue(actual != null && Math.abs(actual - expected) <= tolerance,
                "expected " + expected + " +/- " + tolerance + " but was " + actual);
    }
}
