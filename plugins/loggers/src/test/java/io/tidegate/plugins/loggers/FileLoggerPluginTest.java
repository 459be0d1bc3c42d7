package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileLoggerPluginTest {
    private final FileLoggerPlugin plugin = new FileLoggerPlugin();

    @Test
    void logFormatValuesStartingWithDollarAreTemplatesOthersAreKept() throws Exception {
        PluginInstance logger = PluginRunner.create(plugin, """
                {"path": "format-test.log", "log_format": {"client": "$remote_addr", "trace": "${http_x_trace}",
                 "pair": "$http_x_trace:$arg_page", "fixed": "v1 $host", "missing": "$http_x_none", "empty": "$arg_empty"}}""");
        logger.log(TestContext.get("/f?page=2&empty=").header("X-Trace", "t1").var("remote_addr", "10.0.0.9")
                .var("arg_page", "2").var("arg_empty", ""));
        List<String> lines = PluginRunner.linesWritten("format-test.log");
        JsonNode entry = PluginRunner.json(lines.get(lines.size() - 1));
        assertEquals("10.0.0.9", entry.get("client").asText());
        assertEquals("t1", entry.get("trace").asText());
        assertEquals("t1:2", entry.get("pair").asText());
        assertEquals("v1 $host", entry.get("fixed").asText(), "as in APISIX, only a value starting with $ refers to variables");
        assertTrue(entry.get("missing").isNull(), "an unset variable is null, not an empty string");
        assertEquals("", entry.get("empty").asText());
        assertEquals(List.of("client", "trace", "pair", "fixed", "missing", "empty", "route_id"), fieldNames(entry),
                "in the order configured, then the route (and service, when there is one) as APISIX adds them");
    }

    @Test
    void twoLoggersOnOneRequestEachKeepTheirOwnResponseBody() throws Exception {
        PluginInstance whole = PluginRunner.create(plugin, "{\"path\": \"whole.log\", \"include_resp_body\": true}");
        PluginInstance head = PluginRunner.create(plugin, "{\"path\": \"head.log\", \"include_resp_body\": true, \"max_resp_body_bytes\": 4}");
        TestContext context = TestContext.get("/orders").upstreamResponse(200, java.util.Map.of());
        for (String chunk : List.of("{\"id\":", "7}")) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(chunk.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            whole.bodyFilter(context, buffer, false);
            head.bodyFilter(context, buffer, false);
        }
        whole.log(context);
        head.log(context);
        List<String> wholeLines = PluginRunner.linesWritten("whole.log");
        List<String> headLines = PluginRunner.linesWritten("head.log");
        assertEquals("{\"id\":7}", PluginRunner.json(wholeLines.get(wholeLines.size() - 1)).at("/response/body").asText());
        assertEquals("{\"id", PluginRunner.json(headLines.get(headLines.size() - 1)).at("/response/body").asText());
    }

    private static List<String> fieldNames(JsonNode entry) {
        List<String> names = new java.util.ArrayList<>();
        entry.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void anUnknownFieldAndAWrongTypeAreRefusedAtTheirField() {
        assertEquals(List.of("match: unknown field"), PluginRunner.violations(plugin, "{\"path\": \"a.log\", \"match\": []}"));
        assertEquals(List.of("path: must be a non-empty string"), PluginRunner.violations(plugin, "{\"path\": 7}"));
        assertEquals(List.of("path: is required (a non-empty string)"), PluginRunner.violations(plugin, "{}"));
        assertEquals(List.of("log_format.status: must be a string"),
                PluginRunner.violations(plugin, "{\"path\": \"a.log\", \"log_format\": {\"host\": \"$host\", \"status\": 200}}"));
        assertEquals(List.of("log_format: must not be empty"), PluginRunner.violations(plugin, "{\"path\": \"a.log\", \"log_format\": {}}"));
        List<String> emptyConditions = PluginRunner.violations(plugin, "{\"path\": \"a.log\", \"include_resp_body_expr\": []}");
        assertEquals(1, emptyConditions.size(), emptyConditions.toString());
        assertTrue(emptyConditions.get(0).startsWith("include_resp_body_expr: must be a non-empty array"), emptyConditions.toString());
    }
}
