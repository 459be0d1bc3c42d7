package io.tidegate.plugins.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.plugin.testkit.PluginRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schemas as APISIX's .t files exercise them. */
class TracingSchemaTest {
    @Test
    void zipkin() {
        ZipkinPlugin zipkin = new ZipkinPlugin();
        assertEquals(List.of(), PluginRunner.violations(zipkin, "{\"endpoint\": \"http://127.0.0.1:9999/mock_zipkin\", \"sample_ratio\": 1}"));
        assertEquals(List.of("sample_ratio: must be a number >= 1.0E-5 and <= 1"), PluginRunner.violations(zipkin, "{\"endpoint\": \"http://127.0.0.1\", \"sample_ratio\": -0.1}"));
        assertEquals(List.of("sample_ratio: must be a number >= 1.0E-5 and <= 1"), PluginRunner.violations(zipkin, "{\"endpoint\": \"http://127.0.0.1\", \"sample_ratio\": 2}"));
        assertEquals(List.of("server_addr: must be a string matching ^[0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3}$"),
                PluginRunner.violations(zipkin, "{\"endpoint\": \"http://127.0.0.1\", \"sample_ratio\": 1, \"server_addr\": \"badip\"}"));
        assertEquals(List.of("endpoint: is required (a string)", "span_version: must be one of 1, 2"),
                PluginRunner.violations(zipkin, "{\"sample_ratio\": 1, \"span_version\": 3}").stream().sorted().toList());
    }

    @Test
    void opentelemetry() {
        OpenTelemetryPlugin otel = new OpenTelemetryPlugin();
        assertEquals(List.of(), PluginRunner.violations(otel, "{}"));
        assertEquals(List.of("sampler.name: must be one of \"always_on\", \"always_off\", \"trace_id_ratio\", \"parent_base\""),
                PluginRunner.violations(otel, "{\"sampler\": {\"name\": \"aa\"}}"));
        assertEquals(List.of("additional_attributes[0]: must be a non-empty string", "x: unknown field"),
                PluginRunner.violations(otel, "{\"additional_attributes\": [\"\"], \"x\": 1}").stream().sorted().toList());
    }

    /** A collector header value that could not be sent is a configuration error, not a failure of every export. */
    @Test
    void opentelemetryCollectorHeadersMustBeSendable() {
        OpenTelemetryPlugin otel = new OpenTelemetryPlugin();
        var badValue = org.junit.jupiter.api.Assertions.assertThrows(io.tidegate.plugin.api.PluginConfigException.class,
                () -> PluginRunner.createWithAttributes(otel, "{\"collector\": {\"request_headers\": {\"X-Token\": \"a\\r\\nHost: evil\"}}}", "{}"));
        org.junit.jupiter.api.Assertions.assertTrue(badValue.getMessage().contains("collector.request_headers.X-Token"), badValue.getMessage());
    }
}
