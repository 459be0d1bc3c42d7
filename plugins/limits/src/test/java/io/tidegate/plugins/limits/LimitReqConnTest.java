package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** limit-req and limit-conn with the test kit (after APISIX's t/plugin/limit-req.t, limit-conn.t). */
class LimitReqConnTest {
    private static TestContext from(String ip) {
        return TestContext.get("/r").clientAddress(ip);
    }

    @Test
    void leakyBucketAdmitsAtTheRateDelaysTheBurstRejectsTheRest() {
        LeakyBuckets buckets = new LeakyBuckets(10, 2); // 10 r/s: one every 100 ms; 2 may wait
        long t = 1_000_000;
        assertEquals(new LeakyBuckets.Admission(true, 0), buckets.admit("k", t));
        assertEquals(new LeakyBuckets.Admission(true, 100), buckets.admit("k", t), "one over the rate waits 100 ms");
        assertEquals(new LeakyBuckets.Admission(true, 200), buckets.admit("k", t));
        assertEquals(false, buckets.admit("k", t).admitted(), "beyond the burst");
        assertEquals(new LeakyBuckets.Admission(true, 200), buckets.admit("k", t + 100), "100 ms later one slot drained");
        assertEquals(new LeakyBuckets.Admission(true, 0), buckets.admit("other", t), "keys are independent");
    }

    @Test
    void drainedKeysAreDropped() {
        LeakyBuckets buckets = new LeakyBuckets(100, 0);
        long t = System.currentTimeMillis();
        for (int i = 0; i < 10_000; i++) {
            buckets.admit("k" + i, t);
        }
        buckets.admit("late", t + 5_000);
        assertEquals(1, buckets.size());
    }

    @Test
    void limitReqDelaysUnlessNodelayAndRejectsWithTheConfiguredResponse() throws Exception {
        PluginInstance req = PluginRunner.create(new LimitReqPlugin(), "{\"rate\": 1, \"burst\": 1, \"rejected_code\": 429, \"rejected_msg\": \"busy\"}");
        assertTrue(req.access(from("10.0.0.1")).proceeds());
        PhaseResult delayed = req.access(from("10.0.0.1"));
        assertTrue(delayed.isDeferred());
        assertTrue(delayed.delay().compareTo(Duration.ofMillis(900)) > 0, delayed.delay().toString());
        PhaseResult rejected = req.access(from("10.0.0.1"));
        assertEquals(429, rejected.status());
        assertEquals("{\"error_msg\":\"busy\"}\n", new String(rejected.body(), StandardCharsets.UTF_8));

        PluginInstance nodelay = PluginRunner.create(new LimitReqPlugin(), "{\"rate\": 1, \"burst\": 1, \"nodelay\": true, \"key\": \"http_x_user\"}");
        assertTrue(nodelay.access(from("10.0.0.1").header("X-User", "a")).proceeds());
        assertTrue(nodelay.access(from("10.0.0.1").header("X-User", "a")).proceeds(), "burst served at once");
        assertEquals(503, nodelay.access(from("10.0.0.1").header("X-User", "a")).status());
    }

    @Test
    void limitConnCountsInProgressAndReleasesInLog() throws Exception {
        PluginInstance conn = PluginRunner.create(new LimitConnPlugin(), "{\"conn\": 1, \"burst\": 1, \"default_conn_delay\": 0.2}");
        TestContext first = from("10.0.0.1");
        assertTrue(conn.access(first).proceeds());
        TestContext second = from("10.0.0.1");
        PhaseResult delayed = conn.access(second);
        assertEquals(Duration.ofMillis(200), delayed.delay(), "one over conn waits default_conn_delay");
        assertEquals(503, conn.access(from("10.0.0.1")).status(), "beyond conn + burst");
        assertTrue(conn.access(from("10.0.0.2")).proceeds(), "another key");
        conn.log(first);
        conn.log(second);
        assertTrue(conn.access(from("10.0.0.1")).proceeds(), "finished requests no longer count");
        conn.log(from("10.0.0.9")); // a request this plugin never counted releases nothing
    }

    @Test
    void aGlobalRulesAndARoutesLimitConnOnOneRequestEachReleaseTheirOwnCount() throws Exception {
        // two instances on one request: each must release its own entry in log (they once shared one key)
        PluginInstance global = PluginRunner.create(new LimitConnPlugin(), "{\"conn\": 1, \"burst\": 0, \"default_conn_delay\": 0.1}");
        PluginInstance route = PluginRunner.create(new LimitConnPlugin(), "{\"conn\": 2, \"burst\": 0, \"default_conn_delay\": 0.1}");
        for (int i = 0; i < 4; i++) {
            TestContext request = from("10.0.0.77");
            assertTrue(global.access(request).proceeds(), "request " + i + ", global rule");
            assertTrue(route.access(request).proceeds(), "request " + i + ", route");
            route.log(request);
            global.log(request);
        }
    }

    @Test
    void limitConnDelayGrowsWithEachRequestAboveConn() throws Exception {
        PluginInstance conn = PluginRunner.create(new LimitConnPlugin(), "{\"conn\": 1, \"burst\": 3, \"default_conn_delay\": 0.1}");
        conn.access(from("10.0.0.1"));
        assertEquals(Duration.ofMillis(100), conn.access(from("10.0.0.1")).delay());
        assertEquals(Duration.ofMillis(200), conn.access(from("10.0.0.1")).delay());
        PluginInstance flat = PluginRunner.create(new LimitConnPlugin(),
                "{\"conn\": 1, \"burst\": 3, \"default_conn_delay\": 0.1, \"only_use_default_delay\": true, \"key\": \"http_x_k\"}");
        flat.access(from("10.0.0.1").header("X-K", "a"));
        flat.access(from("10.0.0.1").header("X-K", "a"));
        assertEquals(Duration.ofMillis(100), flat.access(from("10.0.0.1").header("X-K", "a")).delay());
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertEquals("rate", field(new LimitReqPlugin(), "{\"burst\": 1}"));
        assertEquals("rate", field(new LimitReqPlugin(), "{\"rate\": 0}"));
        assertEquals("burst", field(new LimitReqPlugin(), "{\"rate\": 1, \"burst\": -1}"));
        assertEquals("key_type", field(new LimitReqPlugin(), "{\"rate\": 1, \"key_type\": \"constant\"}"));
        assertEquals("conn", field(new LimitConnPlugin(), "{\"burst\": 0, \"default_conn_delay\": 1}"));
        assertEquals("default_conn_delay", field(new LimitConnPlugin(), "{\"conn\": 1, \"burst\": 0}"));
        assertEquals("policy", field(new LimitConnPlugin(), "{\"conn\": 1, \"burst\": 0, \"default_conn_delay\": 1, \"policy\": \"redis\"}"));
    }

    private static String field(io.tidegate.plugin.api.GatewayPlugin plugin, String config) {
        return assertThrows(PluginConfigException.class, () -> PluginRunner.create(plugin, config)).field();
    }
}
