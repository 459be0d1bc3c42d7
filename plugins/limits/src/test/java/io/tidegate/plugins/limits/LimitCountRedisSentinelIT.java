package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * limit-count with policy: redis-sentinel, against a real master, its replica and three sentinels,
 * all requiring passwords, shared by two gateways. The failover test goes last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LimitCountRedisSentinelIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");
    @RegisterExtension
    static final RedisSentinels sentinels = new RedisSentinels();

    private static String sentinelList() {
        return sentinels.sentinelPorts().stream().map(port -> "{ host: 127.0.0.1, port: " + port + " }")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    /**
     * A gateway limiting {@code /x} to 10 requests per minute (an hour for a sliding window)
     * against one counter named {@code key}, in database 1. Returned once it counts in Redis
     * ({@code /warm}, a limit of its own there, answers 200).
     */
    private static TestGateway gateway(String key, String windowType, boolean degrade, String sentinelPassword) {
        String limit = """
                      limit-count:
                        count: %d
                        time_window: %d
                        window_type: %s
                        key_type: constant
                        key: %s
                        rejected_code: 429
                        policy: redis-sentinel
                        redis_sentinels: %s
                        redis_master_name: %s
                        redis_role: master
                        redis_database: 1
                        redis_password: %s
                %s        redis_connect_timeout: 500
                        redis_read_timeout: 500
                        allow_degradation: %s
                """;
        String sentinelAuth = sentinelPassword == null ? "" : "        sentinel_password: " + sentinelPassword + "\n";
        int window = windowType.equals("sliding") ? 3600 : 60;
        return PluginGateway.start("""
                routes:
                  - id: 1
                    uri: /x
                    plugins:
                %s    upstream: { nodes: { "%s": 1 } }
                  - id: warm
                    uri: /warm
                    plugins:
                %s    upstream: { nodes: { "%s": 1 } }
                """.formatted(
                limit.formatted(10, window, windowType, key, sentinelList(), RedisSentinels.MASTER_NAME, RedisSentinels.PASSWORD,
                        sentinelAuth, degrade), upstream.address(),
                limit.formatted(1_000_000, 60, "fixed", "warm", sentinelList(), RedisSentinels.MASTER_NAME, RedisSentinels.PASSWORD,
                        sentinelAuth, false), upstream.address()));
    }

    private static TestGateway warmGateway(String key, String windowType, boolean degrade) {
        TestGateway gateway = gateway(key, windowType, degrade, RedisSentinels.SENTINEL_PASSWORD);
        gateway.awaitStatus("/warm", 200, 15_000);
        return gateway;
    }

    @Test
    @Order(1)
    void twoGatewaysCountExactlyTogether() throws Exception {
        String key = "together-" + System.nanoTime();
        try (TestGateway first = warmGateway(key, "fixed", false); TestGateway second = warmGateway(key, "fixed", false)) {
            for (int left = 9; left >= 7; left--) {
                HttpResponse<String> response = (left % 2 == 0 ? second : first).get("/x");
                assertEquals(200, response.statusCode());
                assertEquals(Integer.toString(left), Bursts.header(response, "X-RateLimit-Remaining"), "one count across both");
            }
            List<HttpResponse<String>> burst = Bursts.send(30, "/x", first, second);
            assertEquals(7, Bursts.count(burst, 200), Bursts.statuses(burst).toString());
            assertEquals(23, Bursts.count(burst, 429), Bursts.statuses(burst).toString());
            HttpResponse<String> rejected = first.get("/x");
            assertEquals("10", Bursts.header(rejected, "X-RateLimit-Limit"));
            assertEquals("0", Bursts.header(rejected, "X-RateLimit-Remaining"));
            long reset = Long.parseLong(Bursts.header(rejected, "X-RateLimit-Reset"));
            assertTrue(reset > 0 && reset <= 60, "reset " + reset);
            RedisNode master = sentinels.master();
            assertFalse(master.cli("-n", "1", "KEYS", "*" + key + "*").isEmpty(), "counted in redis_database 1");
            assertTrue(master.cli("-n", "0", "KEYS", "*" + key + "*").isEmpty());
        }
    }

    @Test
    @Order(2)
    void aSlidingWindowCountsExactlyTogether() throws Exception {
        LimitCountRedisClusterIT.awayFromAnHourBoundary();
        String key = "sliding-" + System.nanoTime();
        try (TestGateway first = warmGateway(key, "sliding", false); TestGateway second = warmGateway(key, "sliding", false)) {
            List<HttpResponse<String>> burst = Bursts.send(30, "/x", first, second);
            assertEquals(10, Bursts.count(burst, 200), Bursts.statuses(burst).toString());
            assertEquals(20, Bursts.count(burst, 429), Bursts.statuses(burst).toString());
        }
    }

    /** APISIX's t/plugin/limit-count-redis-sentinel.t TEST 7-8: sentinels that want a password and get none. */
    @Test
    @Order(3)
    void withoutTheSentinelsPasswordNothingIsCounted() {
        try (TestGateway gateway = gateway("no-password-" + System.nanoTime(), "fixed", false, null)) {
            HttpResponse<String> refused = gateway.get("/x");
            assertEquals(500, refused.statusCode());
            assertEquals("{\"error_msg\":\"failed to limit count\"}\n", refused.body());
        }
    }

    /**
     * The master crashes. Until the sentinels have agreed it is down (1 s without an answer, then
     * a quorum of 2) and promoted the replica, the counter cannot be had: a strict gateway answers
     * 500, one with allow_degradation lets requests through uncounted. Then both count on, on the
     * new master the sentinels name, from where the count was (the test waited for the replica to
     * have it).
     */
    @Test
    @Order(4)
    void whenTheMasterFailsTheSentinelsPromoteTheReplicaAndCountingGoesOn() {
        String key = "failover-" + System.nanoTime();
        try (TestGateway strict = warmGateway(key, "fixed", false); TestGateway lenient = warmGateway(key, "fixed", true)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, strict.get("/x").statusCode());
            }
            assertEquals("6", Bursts.header(lenient.get("/x"), "X-RateLimit-Remaining"));
            RedisNode master = sentinels.master();
            RedisNode replica = sentinels.replicaOf(master);
            sentinels.awaitReplicated(master);
            sentinels.kill(master);

            HttpResponse<String> refused = strict.get("/x");
            assertEquals(500, refused.statusCode(), "no counter, no request");
            HttpResponse<String> degraded = lenient.get("/x");
            assertEquals(200, degraded.statusCode(), "allow_degradation: through, uncounted");
            assertNull(Bursts.header(degraded, "X-RateLimit-Remaining"));

            List<Integer> whileFailingOver = new ArrayList<>();
            long deadline = System.nanoTime() + 30_000_000_000L;
            HttpResponse<String> counted = strict.get("/x");
            while (counted.statusCode() != 200 && System.nanoTime() < deadline) {
                whileFailingOver.add(counted.statusCode());
                Bursts.pause();
                counted = strict.get("/x");
            }
            assertEquals(200, counted.statusCode(), "counting resumes on the new master: " + whileFailingOver);
            assertTrue(whileFailingOver.stream().allMatch(status -> status == 500), whileFailingOver.toString());
            assertEquals("5", Bursts.header(counted, "X-RateLimit-Remaining"), "the count survived the failover");
            assertEquals("4", Bursts.header(lenient.get("/x"), "X-RateLimit-Remaining"));
            sentinels.awaitPromoted(replica);
            assertFalse(replica.cli("-n", "1", "KEYS", "*" + key + "*").isEmpty(), "the counter lives on the new master");
        }
    }
}
