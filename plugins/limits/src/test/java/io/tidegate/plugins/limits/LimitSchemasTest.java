package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PluginInstance;
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
        for (String unsupported : List.of("redis-sentinel", "redis-cluster")) {
            assertEquals(List.of("policy: must be one of \"local\", \"redis\""), PluginRunner.violations(count,
                    "{\"count\": 1, \"time_window\": 1, \"policy\": \"" + unsupported + "\"}"));
        }
    }

    @Test
    void apisixFieldsTidegateDoesNotImplementAreRefused() {
        assertEquals(List.of("rules: unknown field"),
                PluginRunner.violations(count, "{\"count\": 1, \"time_window\": 1, \"rules\": []}"));
        assertEquals(List.of("window_type: unknown field"),
                PluginRunner.violations(count, "{\"count\": 1, \"time_window\": 1, \"window_type\": \"sliding\"}"));
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
