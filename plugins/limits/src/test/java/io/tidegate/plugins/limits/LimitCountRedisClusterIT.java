package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * limit-count with policy: redis-cluster, against a real Redis Cluster (3 masters, 3 replicas)
 * shared by two gateways. The failover test goes last: it leaves a master without a replica.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LimitCountRedisClusterIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");
    @RegisterExtension
    static final RedisCluster cluster = new RedisCluster();

    /**
     * A gateway limiting {@code /x} to 10 requests per minute (an hour for a sliding window) against
     * one counter named {@code key}; the cluster is given by two of its nodes (the client learns
     * the rest), as APISIX's tests do. It is returned once it counts in the cluster ({@code /warm},
     * a limit of its own there, answers 200): the client connects when the limit is made, and on
     * a cold JVM that may take longer than the requests' redis_timeout.
     */
    private static TestGateway gateway(String key, String windowType, boolean degrade) {
        List<String> seeds = cluster.addresses().subList(0, 2);
        String limit = """
                      limit-count:
                        count: %d
                        time_window: %d
                        window_type: %s
                        key_type: constant
                        key: %s
                        rejected_code: 429
                        policy: redis-cluster
                        redis_cluster_nodes: ["%s", "%s"]
                        redis_cluster_name: test-cluster
                        redis_timeout: 500
                        allow_degradation: %s
                """;
        int window = windowType.equals("sliding") ? 3600 : 60;
        TestGateway gateway = PluginGateway.start("""
                routes:
                  - id: 1
                    uri: /x
                    plugins:
                %s    upstream: { nodes: { "%s": 1 } }
                  - id: warm
                    uri: /warm
                    plugins:
                %s    upstream: { nodes: { "%s": 1 } }
                """.formatted(limit.formatted(10, window, windowType, key, seeds.get(0), seeds.get(1), degrade), upstream.address(),
                limit.formatted(1_000_000, 60, "fixed", "warm", seeds.get(0), seeds.get(1), false), upstream.address()));
        gateway.awaitStatus("/warm", 200, 15_000);
        return gateway;
    }

    @Test
    @Order(1)
    void twoGatewaysCountExactlyTogether() throws Exception {
        String key = "together-" + System.nanoTime();
        try (TestGateway first = gateway(key, "fixed", false); TestGateway second = gateway(key, "fixed", false)) {
            for (int left = 9; left >= 7; left--) {
                HttpResponse<String> response = (left % 2 == 0 ? second : first).get("/x");
                assertEquals(200, response.statusCode());
                assertEquals("10", Bursts.header(response, "X-RateLimit-Limit"));
                assertEquals(Integer.toString(left), Bursts.header(response, "X-RateLimit-Remaining"), "one count across both");
            }
            // the other 7, and 23 more, from many clients of both gateways at once
            List<HttpResponse<String>> burst = Bursts.send(30, "/x", first, second);
            assertEquals(7, Bursts.count(burst, 200), Bursts.statuses(burst).toString());
            assertEquals(23, Bursts.count(burst, 429), Bursts.statuses(burst).toString());
            for (TestGateway gateway : List.of(first, second)) {
                HttpResponse<String> rejected = gateway.get("/x");
                assertEquals(429, rejected.statusCode());
                assertEquals("10", Bursts.header(rejected, "X-RateLimit-Limit"));
                assertEquals("0", Bursts.header(rejected, "X-RateLimit-Remaining"));
                long reset = Long.parseLong(Bursts.header(rejected, "X-RateLimit-Reset"));
                assertTrue(reset > 0 && reset <= 60, "reset " + reset);
            }
        }
    }

    @Test
    @Order(2)
    void aSlidingWindowCountsExactlyTogether() throws Exception {
        awayFromAnHourBoundary();
        String key = "sliding-" + System.nanoTime();
        try (TestGateway first = gateway(key, "sliding", false); TestGateway second = gateway(key, "sliding", false)) {
            List<HttpResponse<String>> burst = Bursts.send(30, "/x", first, second);
            assertEquals(10, Bursts.count(burst, 200), Bursts.statuses(burst).toString());
            assertEquals(20, Bursts.count(burst, 429), Bursts.statuses(burst).toString());
            HttpResponse<String> rejected = second.get("/x");
            assertEquals("0", Bursts.header(rejected, "X-RateLimit-Remaining"));
            long reset = Long.parseLong(Bursts.header(rejected, "X-RateLimit-Reset"));
            assertTrue(reset > 0 && reset <= 3600 - (System.currentTimeMillis() % 3_600_000) / 1000 + 1,
                    "until the hour's window ends: " + reset);
        }
    }

    /** A sliding window of an hour is cut on the epoch's hours: the test's burst stays in one. */
    static void awayFromAnHourBoundary() throws InterruptedException {
        long intoTheHour = System.currentTimeMillis() % 3_600_000;
        if (intoTheHour > 3_590_000) {
            Thread.sleep(3_600_000 - intoTheHour + 100);
        }
    }

    /**
     * The master holding the counter crashes. Until the cluster has promoted its replica (it waits
     * {@code cluster-node-timeout}, 1 s, to call the master failed) the counter cannot be had:
     * a strict gateway answers 500, one with allow_degradation lets requests through uncounted.
     * Then both count on, on the promoted replica, from where the count was (the test waited for
     * the replica to have it; Redis replicates asynchronously, so the last increments before a
     * crash may otherwise be lost, as with APISIX).
     */
    @Test
    @Order(3)
    void whenAMasterFailsItsReplicaTakesOverAndCountingGoesOn() {
        String key = "failover-" + System.nanoTime();
        try (TestGateway strict = gateway(key, "fixed", false); TestGateway lenient = gateway(key, "fixed", true)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, strict.get("/x").statusCode());
            }
            assertEquals("6", Bursts.header(lenient.get("/x"), "X-RateLimit-Remaining"));
            RedisNode master = cluster.masterHolding("*" + key + "*");
            RedisNode replica = cluster.replicaOf(master);
            cluster.awaitReplicated(master);
            cluster.kill(master);

            HttpResponse<String> refused = strict.get("/x");
            assertEquals(500, refused.statusCode(), "no counter, no request");
            assertEquals("{\"error_msg\":\"failed to limit count\"}\n", refused.body());
            HttpResponse<String> degraded = lenient.get("/x");
            assertEquals(200, degraded.statusCode(), "allow_degradation: through, uncounted");
            assertNull(Bursts.header(degraded, "X-RateLimit-Remaining"));

            List<Integer> whileFailingOver = new ArrayList<>();
            long deadline = System.nanoTime() + 20_000_000_000L;
            HttpResponse<String> counted = strict.get("/x");
            while (counted.statusCode() != 200 && System.nanoTime() < deadline) {
                whileFailingOver.add(counted.statusCode());
                Bursts.pause();
                counted = strict.get("/x");
            }
            assertEquals(200, counted.statusCode(), "counting resumes on the promoted replica: " + whileFailingOver);
            assertTrue(whileFailingOver.stream().allMatch(status -> status == 500), whileFailingOver.toString());
            assertEquals("5", Bursts.header(counted, "X-RateLimit-Remaining"), "the count survived the failover");
            assertEquals("4", Bursts.header(lenient.get("/x"), "X-RateLimit-Remaining"));
            assertEquals(replica, cluster.masterHolding("*" + key + "*"), "the counter lives on the promoted replica");
            assertNotEquals(master.port(), replica.port());
        }
    }
}
