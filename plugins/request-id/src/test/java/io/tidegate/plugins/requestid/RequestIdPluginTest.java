package io.tidegate.plugins.requestid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** request-id with the test kit. */
class RequestIdPluginTest {
    private final RequestIdPlugin plugin = new RequestIdPlugin();

    @Test
    void defaultsMintAnIdForUpstreamClientAndLaterPlugins() throws Exception {
        PluginInstance instance = PluginRunner.create(plugin, "{}");
        TestContext ctx = TestContext.get("/");
        instance.rewrite(ctx);
        String id = ctx.upstreamRequest().header("X-Request-Id");
        UUID.fromString(id);
        assertEquals(id, ctx.attribute(RequestIdPlugin.REQUEST_ID));
        ctx.upstreamResponse(200, Map.of());
        instance.headerFilter(ctx);
        assertEquals(id, ctx.response().header("X-Request-Id"));
    }

    @Test
    void keepsTheClientsIdAndHonoursSettings() throws Exception {
        PluginInstance instance = PluginRunner.create(plugin,
                "{\"header_name\": \"X-Trace-Id\", \"include_in_response\": false, \"algorithm\": \"uuid\"}");
        TestContext ctx = TestContext.get("/").header("X-Trace-Id", "abc-123");
        instance.rewrite(ctx);
        assertEquals("abc-123", ctx.upstreamRequest().header("X-Trace-Id"));
        assertEquals("abc-123", ctx.attribute(RequestIdPlugin.REQUEST_ID));
        ctx.upstreamResponse(200, Map.of());
        instance.headerFilter(ctx);
        assertNull(ctx.response().header("X-Trace-Id"));
    }

    @Test
    void unknownFieldsAndWrongTypesAreRefusedAtTheirField() {
        assertEquals(List.of("header: unknown field"), PluginRunner.violations(plugin, "{\"header\": \"X-Id\"}"));
        assertEquals(List.of("range_id: unknown field"), PluginRunner.violations(plugin, "{\"range_id\": {\"length\": 8}}"));
        assertEquals(List.of("include_in_response: must be a boolean"),
                PluginRunner.violations(plugin, "{\"include_in_response\": \"yes\"}"));
        assertField("header_name", "{\"header_name\": 7}");
        assertField("header_name", "{\"header_name\": \"X Request Id\"}");
        assertField("header_name", "{\"header_name\": \"X-Id\\r\\nX-Admin: 1\"}");
        assertField("algorithm", "{\"algorithm\": \"sequence\"}");
    }

    @Test
    void onlyUuidIsImplemented() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(plugin, "{\"algorithm\": \"nanoid\"}"));
        assertEquals("algorithm", e.field());
        assertEquals("must be \"uuid\"", e.getMessage());
    }

    private void assertField(String field, String config) {
        assertEquals(field, assertThrows(PluginConfigException.class, () -> PluginRunner.create(plugin, config)).field(), config);
    }
}
