package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.schema.BoundSchema;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three schemas as the gateway applies them: every violation at its field, in the schema's words. */
class LimitSchemasTest {
    private final LimitCountPlugin count = new LimitCountPlugin();
    private final LimitReqPlugin req = new LimitReqPlugin();
    private final LimitConnPlugin conn = new LimitConnPlugin();

    @Test
    void unknownFieldsAndWrongTypesAreRefusedAtTheirField() {
        assertEquals(List.of("colour: unknown field", "count: must be an integer > 0"),
                PluginRunner.violations(count, "{\"count\": \"1\", \"time_window\": 60, \"colour\": 1}"));
        assertEquals(List.of("time_window: must be an integer > 0", "show_limit_quota_header: must be a boolean"),
                PluginRunner.violations(count, "{\"count\": 1, \"time_window\": 1.5, \"show_limit_quota_header\": \"yes\"}"));
        assertEquals(List.of("colour: unknown field", "rate: must be a number > 0"),
                PluginRunner.violations(req, "{\"rate\": \"fast\", \"colour\": 1}"));
        assertEquals(List.of("nodelay: must be a boolean"), PluginRunner.violations(req, "{\"rate\": 1, \"nodelay\": 1}"));
        assertEquals(List.of("colour: unknown field", "burst: must be an integer >= 0"),
                PluginRunner.violations(conn, "{\"conn\": 1, \"burst\": 0.5, \"default_conn_delay\": 1, \"colour\": 1}"));
        assertEquals(List.of("key: must be a non-empty string"),
                PluginRunner.violations(conn, "{\"conn\": 1, \"burst\": 0, \"default_conn_delay\": 1, \"key\": 7}"));
    }

    @Test
    void limitCountRedisFieldsFollowThePolicy() throws Exception {
        assertEquals(List.of("redis_host: is required (a string of at least 2 characters)"),
                PluginRunner.violations(count, "{\"count\": 1, \"time_window\": 1, \"policy\": \"redis\"}"));
        assertEquals(List.of("redis_port: must be an integer >= 1 and <= 65535"), PluginRunner.violations(count,
                "{\"count\": 1, \"time_window\": 1, \"policy\": \"redis\", \"redis_host\": \"localhost\", \"redis_port\": 70000}"));
        assertEquals(List.of("policy: must be one of \"local\", \"redis\", \"redis-cluster\", \"redis-sentinel\""),
                PluginRunner.violations(count, "{\"count\": 1, \"time_window\": 1, \"policy\": \"memcached\"}"));
        assertEquals(List.of("redis_keepalive_timeout: must be an integer >= 1000"), PluginRunner.violations(count,
                "{\"count\": 1, \"time_window\": 1, \"policy\": \"redis\", \"redis_host\": \"localhost\", \"redis_keepalive_timeout\": 999}"));
    }

    /**
     * APISIX words a missing redis-cluster or redis-sentinel field as "else clause did not match"
     * (its policies are nested if/then/else); the gateway names the field, as it does for redis.
     */
    @Test
    void redisClusterFieldsFollowThePolicy() {
        assertEquals(List.of("redis_cluster_nodes: is required (a non-empty array, each item a string of at least 2 characters"
                        + " and at most 100 characters)",
                        "redis_cluster_name: is required (a string)"),
                PluginRunner.violations(count, "{\"count\": 2, \"time_window\": 60, \"policy\": \"redis-cluster\"}"));
        assertEquals(List.of("redis_cluster_nodes: must be a non-empty array, each item a string of at least 2 characters"
                        + " and at most 100 characters"),
                PluginRunner.violations(count, "{\"count\": 2, \"time_window\": 60, \"policy\": \"redis-cluster\","
                        + " \"redis_cluster_nodes\": [], \"redis_cluster_name\": \"c1\"}"));
        // APISIX's t/plugin/limit-count-redis-cluster.t TEST 12: strings where booleans belong
        assertEquals(List.of("redis_cluster_ssl: must be a boolean", "redis_cluster_ssl_verify: must be a boolean"),
                PluginRunner.violations(count, "{\"count\": 2, \"time_window\": 60, \"policy\": \"redis-cluster\","
                        + " \"redis_cluster_nodes\": [\"127.0.0.1:7000\"], \"redis_cluster_name\": \"c1\","
                        + " \"redis_cluster_ssl\": \"true\", \"redis_cluster_ssl_verify\": \"false\"}"));
        assertEquals(List.of("redis_cluster_nodes[0]: \"127.0.0.1\" is not host:port"), refusal(
                "{\"count\": 2, \"time_window\": 60, \"policy\": \"redis-cluster\", \"redis_cluster_nodes\": [\"127.0.0.1\"],"
                        + " \"redis_cluster_name\": \"c1\"}"));
    }

    @Test
    void redisClusterDefaultsAreApisixs() throws Exception {
        LimitCountPlugin.Settings settings = BoundSchema.compile(count.configSchema()).bind(PluginRunner.json(
                "{\"count\": 2, \"time_window\": 60, \"policy\": \"redis-cluster\", \"redis_cluster_nodes\": [\"127.0.0.1:7000\"],"
                        + " \"redis_cluster_name\": \"c1\"}"));
        assertEquals(1000, settings.redisTimeout());
        assertEquals(false, settings.redisClusterSsl());
        assertEquals(false, settings.redisClusterSslVerify());
        assertEquals(10000, settings.redisKeepaliveTimeout());
        assertEquals(100, settings.redisKeepalivePool());
        assertEquals("fixed", settings.windowType());
    }

    @Test
    void redisSentinelFieldsFollowThePolicy() throws Exception {
        // APISIX's t/plugin/limit-count-redis-sentinel.t TEST 1 and 2 (400 there, "else clause did not match")
        assertEquals(List.of("redis_master_name: is required (a non-empty string)"), PluginRunner.violations(count,
                "{\"count\": 2, \"time_window\": 2, \"policy\": \"redis-sentinel\","
                        + " \"redis_sentinels\": [{\"host\": \"127.0.0.1\", \"port\": 26379}], \"redis_role\": \"master\"}"));
        assertEquals(List.of("redis_sentinels: is required (a non-empty array, each item an object)"), PluginRunner.violations(count,
                "{\"count\": 2, \"time_window\": 2, \"policy\": \"redis-sentinel\", \"redis_role\": \"master\","
                        + " \"redis_database\": 1, \"redis_master_name\": \"mymaster\"}"));
        assertEquals(List.of("redis_sentinels[0].port: must be an integer >= 1 and <= 65535",
                        "redis_sentinels[0].weight: unknown field"), PluginRunner.violations(count,
                "{\"count\": 2, \"time_window\": 2, \"policy\": \"redis-sentinel\", \"redis_master_name\": \"mymaster\","
                        + " \"redis_sentinels\": [{\"host\": \"127.0.0.1\", \"port\": 0, \"weight\": 1}]}"));
        assertEquals(List.of("redis_role: must be one of \"master\", \"slave\""), PluginRunner.violations(count,
                "{\"count\": 2, \"time_window\": 2, \"policy\": \"redis-sentinel\", \"redis_master_name\": \"m\","
                        + " \"redis_sentinels\": [{\"host\": \"127.0.0.1\", \"port\": 26379}], \"redis_role\": \"leader\"}"));
        assertEquals(List.of("redis_role: only \"master\" is supported: counting writes, and replicas refuse writes"), refusal(
                "{\"count\": 2, \"time_window\": 2, \"policy\": \"redis-sentinel\", \"redis_master_name\": \"m\","
                        + " \"redis_sentinels\": [{\"host\": \"127.0.0.1\", \"port\": 26379}], \"redis_role\": \"slave\"}"));

        LimitCountPlugin.Settings settings = BoundSchema.compile(count.configSchema()).bind(PluginRunner.json(
                "{\"count\": 2, \"time_window\": 2, \"policy\": \"redis-sentinel\", \"redis_master_name\": \"m\","
                        + " \"redis_sentinels\": [{\"host\": \"127.0.0.1\", \"port\": 26379}]}"));
        assertEquals("master", settings.redisRole());
        assertEquals(1000, settings.redisConnectTimeout());
        assertEquals(1000, settings.redisReadTimeout());
        assertEquals(60000, settings.redisKeepaliveTimeout());
        assertEquals(0, settings.redisDatabase());
        assertEquals(List.of(new LimitCountPlugin.SentinelNode("127.0.0.1", 26379)), settings.redisSentinels());
    }

    @Test
    void windowTypeIsFixedOrSliding() {
        assertEquals(List.of("window_type: must be one of \"fixed\", \"sliding\""),
                PluginRunner.violations(count, "{\"count\": 1, \"time_window\": 1, \"window_type\": \"rolling\"}"));
        assertEquals(List.of(), PluginRunner.violations(count, "{\"count\": 1, \"time_window\": 1, \"window_type\": \"sliding\"}"));
    }

    /** The plugin's own refusal (after the schema), as {@code field: message}. */
    private List<String> refusal(String config) {
        try {
            PluginInstance instance = PluginRunner.create(count, config);
            PluginRunner.close(instance);
            return List.of();
        } catch (PluginConfigException e) {
            return List.of(e.field() + ": " + e.getMessage());
        }
    }

    @Test
    void apisixFieldsTidegateDoesNotImplementAreRefused() {
        assertEquals(List.of("rules: unknown field"),
                PluginRunner.violations(count, "{\"count\": 1, \"time_window\": 1, \"rules\": []}"));
        assertEquals(List.of("sync_interval: unknown field"),
                PluginRunner.violations(count, "{\"count\": 1, \"time_window\": 1, \"sync_interval\": 0.5}"));
        assertEquals(List.of("policy: must be \"local\""), PluginRunner.violations(req, "{\"rate\": 1, \"policy\": \"redis\"}"));
        assertEquals(List.of("policy: must be \"local\""),
                PluginRunner.violations(conn, "{\"conn\": 1, \"burst\": 0, \"default_conn_delay\": 1, \"policy\": \"redis\"}"));
    }

    @Test
    void aVarCombinationIsATemplateAndCountsAgainstTheAddressWhenNothingResolves() throws Exception {
        PluginInstance limit = PluginRunner.create(req,
                "{\"rate\": 1, \"nodelay\": true, \"key_type\": \"var_combination\", \"key\": \"${http_x_user}-$arg_team\"}");
        assertTrue(limit.access(TestContext.get("/r?team=a").clientAddress("10.1.0.1").header("X-User", "ann")).proceeds());
        assertEquals(503, limit.access(TestContext.get("/r?team=a").clientAddress("10.1.0.2").header("X-User", "ann")).status(),
                "keyed by ann-a, whatever the address");
        assertTrue(limit.access(TestContext.get("/r").clientAddress("10.1.0.3").header("X-User", "ann")).proceeds(), "ann-");
        assertTrue(limit.access(TestContext.get("/r").clientAddress("10.1.0.4")).proceeds(), "nothing resolved: the address");
        assertEquals(503, limit.access(TestContext.get("/r").clientAddress("10.1.0.4")).status());
        assertTrue(limit.access(TestContext.get("/r").clientAddress("10.1.0.5")).proceeds(), "another address");
    }
}
