package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogEntriesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LogEntries entries(String config) throws Exception {
        // checked and bound by the core, with the gateway's own services: conditions compile as they do in production
        ObjectNode settings = (ObjectNode) JSON.readTree(config);
        settings.put("path", "log-entries-test.log");
        return ((EntryLogger) PluginRunner.create(new FileLoggerPlugin(), settings.toString())).entries();
    }

    @Test
    void theRequestBodyIsAskedForAndLoggedOnlyWithIncludeReqBody() throws Exception {
        TestContext context = TestContext.request("POST", "/orders").body("{\"id\":7}".getBytes(StandardCharsets.UTF_8));

        LogEntries with = entries("{\"include_req_body\": true, \"max_req_body_bytes\": 8}");
        assertEquals(8, with.requestBodyHead(), "the gateway keeps no more than the cap");
        assertEquals("{\"id\":7}", JSON.readTree(with.line(context)).at("/request/body").asText());
        assertEquals(LogEntries.DEFAULT_BODY_CAP, entries("{\"include_req_body\": true}").requestBodyHead());

        LogEntries without = entries("{\"max_req_body_bytes\": 8}");
        assertEquals(0, without.requestBodyHead());
        JsonNode line = JSON.readTree(without.utf8Line(context));
        assertTrue(line.at("/request/body").isMissingNode());
        assertEquals("POST", line.at("/request/method").asText());
    }

    @Test
    void bodySettingsOfTheWrongTypeNameTheirField() {
        PluginConfigException notBoolean = assertThrows(PluginConfigException.class, () -> entries("{\"include_resp_body\": \"yes\"}"));
        assertEquals("include_resp_body", notBoolean.field());
        PluginConfigException notPositive = assertThrows(PluginConfigException.class, () -> entries("{\"max_resp_body_bytes\": 0}"));
        assertEquals("max_resp_body_bytes", notPositive.field());
    }

    @Test
    void bodyConditionsSelectTheRequestsWhoseBodiesAreLogged() throws Exception {
        LogEntries entries = entries("{\"include_req_body\": true, \"include_req_body_expr\": [[\"arg_debug\", \"==\", \"1\"]]}");
        byte[] body = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);
        TestContext debug = TestContext.request("POST", "/orders?debug=1").body(body).var("arg_debug", "1");
        TestContext plain = TestContext.request("POST", "/orders").body(body);
        assertEquals("{\"id\":7}", JSON.readTree(entries.line(debug)).at("/request/body").asText());
        assertTrue(JSON.readTree(entries.line(plain)).at("/request/body").isMissingNode());
    }

    @Test
    void aBrokenConditionNamesItsFieldAndIndex() {
        PluginConfigException error = assertThrows(PluginConfigException.class,
                () -> entries("{\"include_resp_body_expr\": [[\"status\", \"==\", 200], [\"status\", \"like\", 5]]}"));
        assertEquals("include_resp_body_expr[1]", error.field());
        assertTrue(error.getMessage().contains("unknown operator \"like\""), error.getMessage());
    }
}
