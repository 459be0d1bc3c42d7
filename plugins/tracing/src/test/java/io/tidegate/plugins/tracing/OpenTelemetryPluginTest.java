package io.tidegate.plugins.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PhaseDriver;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenTelemetryPluginTest {
    private final OpenTelemetryPlugin plugin = new OpenTelemetryPlugin();

    @Test
    void defaultsDoNotSampleButStillPropagate() throws Exception {
        PluginInstance instance = PluginRunner.createWithAttributes(plugin, "{}", "{}");
        try {
            TestContext context = TestContext.get("/x")
                    .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            PhaseDriver.run(context, 200, Map.of(), List.of("ok"), instance);
            String sent = context.upstreamRequest().header("traceparent");
            assertTrue(sent.matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-00"), sent);
            assertTrue(!sent.contains("b7ad6b7169203331"), "the gateway's span, not the client's");
        } finally {
            PluginRunner.close(instance);
        }
    }

    @Test
    void parentBasedSamplerFollowsTheClient() throws Exception {
        PluginInstance instance = PluginRunner.createWithAttributes(plugin, "{\"collector\": {\"address\": \"127.0.0.1:9\"}}",
                "{\"sampler\": {\"name\": \"parent_base\"}}");
        try {
            TestContext sampled = TestContext.get("/x").header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            PhaseDriver.run(sampled, 200, Map.of(), List.of("ok"), instance);
            assertTrue(sampled.upstreamRequest().header("traceparent").endsWith("-01"));
            TestContext root = TestContext.get("/x");
            PhaseDriver.run(root, 200, Map.of(), List.of("ok"), instance);
            assertTrue(root.upstreamRequest().header("traceparent").endsWith("-00"), "root sampler always_off by default");
        } finally {
            PluginRunner.close(instance);
        }
    }

    @Test
    void eachTryOfASampledRequestSendsItsOwnSpanAndTheClientsTracestate() throws Exception {
        PluginInstance instance = PluginRunner.createWithAttributes(plugin, "{\"collector\": {\"address\": \"127.0.0.1:9\"}}",
                "{\"sampler\": {\"name\": \"always_on\"}}");
        try {
            TestContext context = TestContext.get("/x")
                    .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                    .header("tracestate", "vendor=v1");
            instance.rewrite(context);
            context.upstreamTry("127.0.0.1", 9, 0, "connect_failed");
            String first = context.upstreamRequest().header("traceparent");
            context.upstreamTry("127.0.0.1", 10, 200, null);
            String second = context.upstreamRequest().header("traceparent");
            assertTrue(first.matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01"), first);
            assertTrue(second.matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01"), second);
            assertTrue(!first.equals(second), "each try names its own span: " + first);
            assertEquals("vendor=v1", context.upstreamRequest().header("tracestate"));
            instance.log(context);
        } finally {
            PluginRunner.close(instance);
        }
    }

    @Test
    void traceIdFromRequestIdIsAPlainNonZero32HexId() {
        assertEquals("5c3a9f0e1b2d4c6e8f0a1b2c3d4e5f60", OpenTelemetryPlugin.traceIdFromRequestId("5C3A9F0E1B2D4C6E8F0A1B2C3D4E5F60"));
        assertNull(OpenTelemetryPlugin.traceIdFromRequestId("00000000000000000000000000000000"));
        assertNull(OpenTelemetryPlugin.traceIdFromRequestId("6f1c9a2e-0b7d-4c55-9a0e-2d8b1f3e4a5c"));
        assertNull(OpenTelemetryPlugin.traceIdFromRequestId("5c3a9f0e1b2d4c6e8f0a1b2c3d4e5f6g"));
        assertNull(OpenTelemetryPlugin.traceIdFromRequestId(null));
    }
}
