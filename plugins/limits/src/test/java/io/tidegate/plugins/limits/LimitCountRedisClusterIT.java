package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * limit-count with policy: redis-cluster, against a real Redis Cluster (3 masters, 3 replicas)
 * shared by two gateways, which know it by two of its nodes (the client learns the rest), as
 * APISIX's tests do. The failover test goes last: it leaves a master without a replica.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LimitCountRedisClusterIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");
    @RegisterExtension
    static final RedisCluster cluster = new RedisCluster();
    private static TwoGateways gateways;

    @BeforeAll
    static void startGateways() {
        List<String> seeds = cluster.addresses().subList(0, 2);
        gateways = new TwoGateways("""
                        policy: redis-cluster
                        redis_cluster_nodes: ["%s", "%s"]
                        redis_cluster_name: test-cluster
                        redis_timeout: 2000
                """.formatted(seeds.get(0), seeds.get(1)), upstream.address());
    }

    @AfterAll
    static void stopGateways() {
        gateways.close();
    }

    @Test
    @Order(1)
    void twoGatewaysCountExactlyTogether() throws Exception {
        assertCountedTogether(gateways);
    }

    /** 3 requests one by one, then 30 at once from many clients of both gateways: 10 let through in all. */
    static void assertCountedTogether(TwoGateways gateways) throws Exception {
        for (int left = 9; left >= 7; left--) {
            HttpResponse<String> response = (left % 2 == 0 ? gateways.lenient : gateways.strict).get("/fixed");
            assertEquals(200, response.statusCode());
            assertEquals("10", Bursts.header(response, "X-RateLimit-Limit"));
            assertEquals(Integer.toString(left), Bursts.header(response, "X-RateLimit-Remaining"), "one count across both");
        }
        List<HttpResponse<String>> burst = Bursts.send(30, "/fixed", gateways.strict, gateways.lenient);
        assertEquals(7, Bursts.count(burst, 200), Bursts.statuses(burst).toString());
        assertEquals(23, Bursts.count(burst, 429), Bursts.statuses(burst).toString());
        for (TestGateway gateway : List.of(gateways.strict, gateways.lenient)) {
            HttpResponse<String> rejected = gateway.get("/fixed");
            assertEquals(429, rejected.statusCode());
            assertEquals("10", Bursts.header(rejected, "X-RateLimit-Limit"));
            assertEquals("0", Bursts.header(rejected, "X-RateLimit-Remaining"));
            long reset = Long.parseLong(Bursts.header(rejected, "X-RateLimit-Reset"));
            assertTrue(reset > 0 && reset <= 60, "reset " + reset);
        }
    }

    @Test
    @Order(2)
    void aSlidingWindowCountsExactlyTogether() throws Exception {
        assertSlidingCountedTogether(gateways);
    }

    static void assertSlidingCountedTogether(TwoGateways gateways) throws Exception {
        awayFromAnHourBoundary();
        List<HttpResponse<String>> burst = Bursts.send(30, "/sliding", gateways.strict, gateways.lenient);
        assertEquals(10, Bursts.count(burst, 200), Bursts.statuses(burst).toString());
        assertEquals(20, Bursts.count(burst, 429), Bursts.statuses(burst).toString());
        HttpResponse<String> rejected = gateways.lenient.get("/sliding");
        assertEquals("0", Bursts.header(rejected, "X-RateLimit-Remaining"));
        long reset = Long.parseLong(Bursts.header(rejected, "X-RateLimit-Reset"));
        long leftInTheHour = 3600 - (System.currentTimeMillis() % 3_600_000) / 1000;
        assertTrue(reset > 0 && reset <= leftInTheHour + 1, "until the hour's window ends (" + leftInTheHour + " s): " + reset);
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
     * the strict gateway answers 500, the lenient one lets requests through uncounted. Then both
     * count on, on the promoted replica, from where the count was (the test waited for the replica
     * to have it; Redis replicates asynchronously, so the last increments before a crash may
     * otherwise be lost, as with APISIX).
     */
    @Test
    @Order(3)
    void whenAMasterFailsItsReplicaTakesOverAndCountingGoesOn() {
        String pattern = "*" + gateways.key("failover") + "*";
        for (int i = 0; i < 3; i++) {
            assertEquals(200, gateways.strict.get("/failover").statusCode());
        }
        assertEquals("6", Bursts.header(gateways.lenient.get("/failover"), "X-RateLimit-Remaining"));
        RedisNode master = cluster.masterHolding(pattern);
        RedisNode replica = cluster.replicaOf(master);
        cluster.awaitReplicated(master);
        cluster.kill(master);

        List<Integer> whileFailingOver = assertOutageThenCounting(gateways);
        assertEquals(replica, cluster.masterHolding(pattern), "the counter lives on the promoted replica");
        assertTrue(whileFailingOver.size() >= 1);
    }

    /**
     * Right after the crash: 500 from the strict gateway, through uncounted from the lenient one;
     * then (up to 30 s) 500s until the strict one counts again, 5 left (the 4 of before, and this
     * one), then 4 left from the lenient one once it too has found the new master. The strict gateway's statuses in between are returned.
     */
    static List<Integer> assertOutageThenCounting(TwoGateways gateways) {
        HttpResponse<String> refused = gateways.strict.get("/failover");
        assertEquals(500, refused.statusCode(), "no counter, no request");
        assertEquals("{\"error_msg\":\"failed to limit count\"}\n", refused.body());
        HttpResponse<String> degraded = gateways.lenient.get("/failover");
        assertEquals(200, degraded.statusCode(), "allow_degradation: through, uncounted");
        assertNull(Bursts.header(degraded, "X-RateLimit-Remaining"));

        List<Integer> whileFailingOver = new ArrayList<>();
        long deadline = System.nanoTime() + 30_000_000_000L;
        HttpResponse<String> counted = gateways.strict.get("/failover");
        while (counted.statusCode() != 200 && System.nanoTime() < deadline) {
            whileFailingOver.add(counted.statusCode());
            Bursts.pause();
            counted = gateways.strict.get("/failover");
        }
        assertEquals(200, counted.statusCode(), "counting resumes on the new master: " + whileFailingOver);
        assertTrue(whileFailingOver.stream().allMatch(status -> status == 500), whileFailingOver.toString());
        assertEquals("5", Bursts.header(counted, "X-RateLimit-Remaining"), "the count survived the failover");
        // each gateway's client finds the new master on its own: until the lenient one has, its
        // requests pass uncounted (no quota headers), which leaves the count where it is
        HttpResponse<String> lenient = gateways.lenient.get("/failover");
        while (Bursts.header(lenient, "X-RateLimit-Remaining") == null && System.nanoTime() < deadline) {
            assertEquals(200, lenient.statusCode(), "allow_degradation: through, uncounted");
            Bursts.pause();
            lenient = gateways.lenient.get("/failover");
        }
        assertEquals("4", Bursts.header(lenient, "X-RateLimit-Remaining"), "the lenient gateway counts on the new master too");
        return whileFailingOver;
    }
}
