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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** limit-count, local policy, with the test kit (after APISIX's t/plugin/limit-count.t). */
class LimitCountPluginTest {
    private final LimitCountPlugin plugin = new LimitCountPlugin();

    private static TestContext from(String ip) {
        return TestContext.get("/hello").clientAddress(ip);
    }

    @Test
    void countsPerKeyAndRejectsWithTheConfiguredCodeAndMessage() throws Exception {
        PluginInstance limit = PluginRunner.create(plugin, "{\"count\": 2, \"time_window\": 60, \"rejected_code\": 429, \"rejected_msg\": \"slow down\"}");
        for (int i = 1; i >= 0; i--) {
            TestContext ok = from("10.0.0.1");
            assertTrue(limit.access(ok).proceeds());
            limit.headerFilter(ok.upstreamResponse(200, Map.of()));
            assertEquals("2", ok.response().header("X-RateLimit-Limit"));
            assertEquals(Integer.toString(i), ok.response().header("X-RateLimit-Remaining"));
            long reset = Long.parseLong(ok.response().header("X-RateLimit-Reset"));
            assertTrue(reset > 0 && reset <= 60, "reset " + reset);
        }
        PhaseResult rejected = limit.access(from("10.0.0.1"));
        assertEquals(429, rejected.status());
        assertEquals("{\"error_msg\":\"slow down\"}\n", new String(rejected.body(), StandardCharsets.UTF_8));
        assertEquals(List.of("0"), rejected.headers().get("X-RateLimit-Remaining"));
        assertEquals(List.of("2"), rejected.headers().get("X-RateLimit-Limit"));
        assertTrue(limit.access(from("10.0.0.2")).proceeds(), "another client has its own counter");
    }

    @Test
    void windowResets() throws Exception {
        PluginInstance limit = PluginRunner.create(plugin, "{\"count\": 1, \"time_window\": 1}");
        assertTrue(limit.access(from("10.0.0.1")).proceeds());
        assertEquals(503, limit.access(from("10.0.0.1")).status(), "default rejected_code");
        Thread.sleep(1100);
        assertTrue(limit.access(from("10.0.0.1")).proceeds());
    }

    @Test
    void keyTypes() throws Exception {
        PluginInstance byHeader = PluginRunner.create(plugin, "{\"count\": 1, \"time_window\": 60, \"key\": \"http_x_user\"}");
        assertTrue(byHeader.access(from("10.0.0.1").header("X-User", "ann")).proceeds());
        assertTrue(byHeader.access(from("10.0.0.1").header("X-User", "bob")).proceeds(), "keyed by the header, not the address");
        assertEquals(503, byHeader.access(from("10.0.0.9").header("X-User", "ann")).status());

        PluginInstance combined = PluginRunner.create(plugin,
                "{\"count\": 1, \"time_window\": 60, \"key_type\": \"var_combination\", \"key\": \"$remote_addr $http_x_user\"}");
        assertTrue(combined.access(from("10.0.0.1").header("X-User", "ann")).proceeds());
        assertTrue(combined.access(from("10.0.0.2").header("X-User", "ann")).proceeds());
        assertEquals(503, combined.access(from("10.0.0.1").header("X-User", "ann")).status());

        PluginInstance constant = PluginRunner.create(plugin, "{\"count\": 1, \"time_window\": 60, \"key_type\": \"constant\", \"key\": \"all\"}");
        assertTrue(constant.access(from("10.0.0.1")).proceeds());
        assertEquals(503, constant.access(from("10.0.0.2")).status(), "one counter for everyone");
    }

    @Test
    void missingKeyValueCountsAgainstTheClientAddress() throws Exception {
        PluginInstance limit = PluginRunner.create(plugin, "{\"count\": 1, \"time_window\": 60, \"key\": \"http_x_user\"}");
        assertTrue(limit.access(from("10.0.0.1")).proceeds());
        assertEquals(503, limit.access(from("10.0.0.1")).status());
        assertTrue(limit.access(from("10.0.0.2")).proceeds());
    }

    /**
     * window_type: sliding, on the real clock (SlidingWindowsTest has the arithmetic on a set one):
     * windows are cut on the epoch, and the requests of the window before still count at the
     * start of the next.
     */
    @Test
    void slidingWindowCarriesTheLastWindowsBurstIntoTheNext() throws Exception {
        PluginInstance limit = PluginRunner.create(plugin, "{\"count\": 2, \"time_window\": 2, \"window_type\": \"sliding\"}");
        // between 1 and 1.5 s into a 2 s window: the burst ends well before the window does
        while (System.currentTimeMillis() % 2000 < 1000 || System.currentTimeMillis() % 2000 > 1500) {
            Thread.sleep(10);
        }
        assertTrue(limit.access(from("10.0.1.1")).proceeds());
        TestContext second = from("10.0.1.1");
        assertTrue(limit.access(second).proceeds());
        limit.headerFilter(second.upstreamResponse(200, Map.of()));
        assertEquals("0", second.response().header("X-RateLimit-Remaining"));
        assertEquals("1", second.response().header("X-RateLimit-Reset"), "the rest of the epoch's window, not 2 s from the first request");
        PhaseResult full = limit.access(from("10.0.1.1"));
        assertEquals(503, full.status());
        assertEquals(List.of("1"), full.headers().get("X-RateLimit-Reset"));

        Thread.sleep(2050 - System.currentTimeMillis() % 2000); // just into the next window
        // the burst of 2 weighs almost 2 still: one more request, not a fresh 2
        assertTrue(limit.access(from("10.0.1.1")).proceeds());
        PhaseResult refused = limit.access(from("10.0.1.1"));
        assertEquals(503, refused.status(), "a fixed window would let a second request through here");
        assertEquals(List.of("0"), refused.headers().get("X-RateLimit-Remaining"));
        assertTrue(limit.access(from("10.0.1.2")).proceeds(), "another client has its own window");
    }

    @Test
    void slidingAndFixedWindowsAreDifferentLimitsOfAGroup() throws Exception {
        PluginRunner.create(plugin, "{\"count\": 2, \"time_window\": 60, \"group\": \"windows\"}");
        assertEquals("group", assertThrows(PluginConfigException.class, () -> PluginRunner.create(plugin,
                "{\"count\": 2, \"time_window\": 60, \"group\": \"windows\", \"window_type\": \"sliding\"}")).field());
    }

    @Test
    void groupSharesOneCounterAndDemandsTheSameLimit() throws Exception {
        PluginInstance a = PluginRunner.create(plugin, "{\"count\": 2, \"time_window\": 60, \"group\": \"g\"}");
        PluginInstance b = PluginRunner.create(plugin, "{\"count\": 2, \"time_window\": 60, \"group\": \"g\"}");
        assertTrue(a.access(from("10.0.0.1")).proceeds());
        assertTrue(b.access(from("10.0.0.1")).proceeds());
        assertEquals(503, a.access(from("10.0.0.1")).status());
        assertEquals("group", assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(plugin, "{\"count\": 3, \"time_window\": 60, \"group\": \"g\"}")).field());
    }

    @Test
    void countersOutliveAReloadOfTheSameLimit() throws Exception {
        PluginInstance before = PluginRunner.create(plugin, "{\"count\": 1, \"time_window\": 60}");
        assertTrue(before.access(from("10.0.0.1")).proceeds());
        PluginInstance after = PluginRunner.create(plugin, "{\"count\": 1, \"time_window\": 60}"); // the next version
        before.close();
        assertEquals(503, after.access(from("10.0.0.1")).status(), "the new version keeps the count");
        PluginInstance changed = PluginRunner.create(plugin, "{\"count\": 5, \"time_window\": 60}");
        after.close();
        assertTrue(changed.access(from("10.0.0.1")).proceeds(), "a changed limit starts new counters");
    }

    @Test
    void quotaHeadersCanBeTurnedOff() throws Exception {
        PluginInstance limit = PluginRunner.create(plugin, "{\"count\": 1, \"time_window\": 60, \"show_limit_quota_header\": false}");
        TestContext context = from("10.0.0.1");
        limit.access(context);
        limit.headerFilter(context);
        assertEquals(null, context.response().header("X-RateLimit-Limit"));
        assertEquals(null, limit.access(from("10.0.0.1")).headers().get("X-RateLimit-Limit"));
    }

    @Test
    void invalidConfigurationsNameTheField() {
        assertField("count", "{\"time_window\": 60}");
        assertField("count", "{\"count\": 0, \"time_window\": 60}");
        assertField("time_window", "{\"count\": 1, \"time_window\": -1}");
        assertField("key_type", "{\"count\": 1, \"time_window\": 1, \"key_type\": \"header\"}");
        assertField("rejected_code", "{\"count\": 1, \"time_window\": 1, \"rejected_code\": 600}");
        assertField("policy", "{\"count\": 1, \"time_window\": 1, \"policy\": \"memcached\"}");
        assertField("redis_cluster_nodes", "{\"count\": 1, \"time_window\": 1, \"policy\": \"redis-cluster\"}");
        assertField("redis_sentinels", "{\"count\": 1, \"time_window\": 1, \"policy\": \"redis-sentinel\", \"redis_master_name\": \"m\"}");
        assertField("window_type", "{\"count\": 1, \"time_window\": 1, \"window_type\": \"rolling\"}");
        assertField("redis_host", "{\"count\": 1, \"time_window\": 1, \"policy\": \"redis\"}");
        assertField("colour", "{\"count\": 1, \"time_window\": 1, \"colour\": 1}");
    }

    private void assertField(String field, String config) {
        assertEquals(field, assertThrows(PluginConfigException.class, () -> PluginRunner.create(plugin, config)).field(), config);
    }

    @Test
    void aMillionDistinctKeysDoNotStay() throws Exception {
        CounterStore store = new CounterStore(10, Duration.ofMillis(500));
        int largest = 0;
        for (int i = 0; i < 1_000_000; i++) {
            store.bucket("client-" + i).tryConsume(1);
            largest = Math.max(largest, store.size());
        }
        assertTrue(largest > 1000, "the keys were really held: " + largest);
        Thread.sleep(1100); // idle for more than a window, and the next sweep is due
        store.bucket("one-more").tryConsume(1);
        assertEquals(1, store.size(), "idle keys are dropped; memory follows the active keys");
    }
}
