package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.RedisServer;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * limit-count with window_type: sliding and policy: redis, two gateways sharing a real
 * redis-server: one count across both, and at the edge between two windows the requests of the
 * window before still count (where a fixed window would start afresh).
 */
class LimitCountSlidingRedisIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");
    @RegisterExtension
    static final RedisServer redis = new RedisServer();

    private static TestGateway gateway(String key, int count, int timeWindow) {
        return PluginGateway.start("""
                routes:
                  - id: 1
                    uri: "/*"
                    plugins:
                      limit-count:
                        count: %d
                        time_window: %d
                        window_type: sliding
                        key_type: constant
                        key: %s
                        rejected_code: 429
                        policy: redis
                        redis_host: 127.0.0.1
                        redis_port: %d
                        redis_timeout: 2000
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(count, timeWindow, key, redis.port(), upstream.address()));
    }

    private static void assertQuota(int status, String remaining, String reset, HttpResponse<String> response) {
        assertEquals(List.of(status, remaining, reset), List.of(response.statusCode(), Bursts.header(response, "X-RateLimit-Remaining"),
                Bursts.header(response, "X-RateLimit-Reset")));
    }

    /**
     * 4 requests per 4 s windows (cut on the epoch, by the Redis server's clock, which is this
     * machine's). A burst of 4 late in one window; just after the next begins, those 4 still weigh
     * almost 4: one more request gets through, not 4.
     */
    @Test
    void aBurstAtTheEndOfOneWindowStillCountsInTheNext() throws Exception {
        String key = "edge-" + System.nanoTime();
        try (TestGateway first = gateway(key, 4, 4); TestGateway second = gateway(key, 4, 4)) {
            Thread.sleep(Math.floorMod(2200 - System.currentTimeMillis() % 4000, 4000)); // 2.2 s into a window: 1.8 s left
            assertQuota(200, "3", "2", first.get("/x"));
            assertQuota(200, "2", "2", second.get("/x"));
            assertQuota(200, "1", "2", first.get("/x"));
            assertQuota(200, "0", "2", second.get("/x"));
            assertQuota(429, "0", "2", first.get("/x")); // the window alone is full: until it ends

            Thread.sleep(4000 - System.currentTimeMillis() % 4000 + 100); // just into the next window
            // the 4 weigh 4 * 3.9 / 4 = 3.9 < 4: one more (APISIX would say -1 left, Tidegate says 0)
            assertQuota(200, "0", "4", second.get("/x"));
            // 3.9 + 1 >= 4, from the other gateway too: refused until the 4 weigh 3, about 0.9 s from now
            assertQuota(429, "0", "1", first.get("/x"));
        }
    }

    @Test
    void twoGatewaysCountExactlyTogether() throws Exception {
        LimitCountRedisClusterIT.awayFromAnHourBoundary();
        String key = "together-" + System.nanoTime();
        try (TestGateway first = gateway(key, 10, 3600); TestGateway second = gateway(key, 10, 3600)) {
            List<HttpResponse<String>> burst = Bursts.send(30, "/x", first, second);
            assertEquals(10, Bursts.count(burst, 200), Bursts.statuses(burst).toString());
            assertEquals(20, Bursts.count(burst, 429), Bursts.statuses(burst).toString());
        }
    }
}
