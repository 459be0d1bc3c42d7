package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * limit-count with policy: redis-sentinel, against a real master, its replica and three sentinels,
 * all requiring passwords, shared by two gateways; counting in database 1. The failover test goes
 * last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LimitCountRedisSentinelIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");
    @RegisterExtension
    static final RedisSentinels sentinels = new RedisSentinels();
    private static TwoGateways gateways;

    /** The limits' Redis fields, with {@code sentinel_password} or without. */
    private static String redisSettings(boolean sentinelPassword) {
        String list = sentinels.sentinelPorts().stream().map(port -> "{ host: 127.0.0.1, port: " + port + " }")
                .collect(Collectors.joining(", ", "[", "]"));
        return """
                        policy: redis-sentinel
                        redis_sentinels: %s
                        redis_master_name: %s
                        redis_role: master
                        redis_database: 1
                        redis_password: %s
                """.formatted(list, RedisSentinels.MASTER_NAME, RedisSentinels.PASSWORD)
                + (sentinelPassword ? "        sentinel_password: " + RedisSentinels.SENTINEL_PASSWORD + "\n" : "");
    }

    @BeforeAll
    static void startGateways() {
        gateways = new TwoGateways(redisSettings(true), upstream.address());
    }

    @AfterAll
    static void stopGateways() {
        gateways.close();
    }

    @Test
    @Order(1)
    void twoGatewaysCountExactlyTogether() throws Exception {
        LimitCountRedisClusterIT.assertCountedTogether(gateways);
        RedisNode master = sentinels.master();
        String pattern = "*" + gateways.key("fixed") + "*";
        assertFalse(master.cli("-n", "1", "KEYS", pattern).isEmpty(), "counted in redis_database 1");
        assertTrue(master.cli("-n", "0", "KEYS", pattern).isEmpty());
    }

    @Test
    @Order(2)
    void aSlidingWindowCountsExactlyTogether() throws Exception {
        LimitCountRedisClusterIT.assertSlidingCountedTogether(gateways);
    }

    /** APISIX's t/plugin/limit-count-redis-sentinel.t TEST 7-8: sentinels that want a password and get none. */
    @Test
    @Order(3)
    void withoutTheSentinelsPasswordNothingIsCounted() {
        try (TestGateway gateway = PluginGateway.start("""
                routes:
                  - id: 1
                    uri: /x
                    plugins:
                      limit-count:
                        count: 10
                        time_window: 60
                %s    upstream: { nodes: { "%s": 1 } }
                """.formatted(redisSettings(false), upstream.address()))) {
            HttpResponse<String> refused = gateway.get("/x");
            assertEquals(500, refused.statusCode());
            assertEquals("{\"error_msg\":\"failed to limit count\"}\n", refused.body());
        }
    }

    /**
     * The master crashes. Until the sentinels have agreed it is down (1 s without an answer, then
     * a quorum of 2), promoted the replica and announced it (Lettuce's master/replica connection
     * follows the announcement), the counter cannot be had: the strict gateway answers 500, the
     * lenient one lets requests through uncounted. Then both count on, on the new master, from
     * where the count was (the test waited for the replica to have it).
     */
    @Test
    @Order(4)
    void whenTheMasterFailsTheSentinelsPromoteTheReplicaAndCountingGoesOn() {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, gateways.strict.get("/failover").statusCode());
        }
        assertEquals("6", Bursts.header(gateways.lenient.get("/failover"), "X-RateLimit-Remaining"));
        RedisNode master = sentinels.master();
        RedisNode replica = sentinels.replicaOf(master);
        sentinels.awaitReplicated(master);
        sentinels.kill(master);

        LimitCountRedisClusterIT.assertOutageThenCounting(gateways);
        sentinels.awaitPromoted(replica);
        assertFalse(replica.cli("-n", "1", "KEYS", "*" + gateways.key("failover") + "*").isEmpty(),
                "the counter lives on the new master");
    }
}
