package io.tidegate.plugin.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON Schemas taken from a plugin's configuration: checked against draft 7, then applied as written. */
class UserSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void valuesAreCheckedAsTheSchemaSaysAndNoMore() throws Exception {
        BoundSchema<JsonNode> schema = BoundSchema.userSchema(json("""
                {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer", "minimum": 1}, "name": {"type": "string", "default": "x"}}}"""));
        assertEquals(List.of(), schema.check(json("{\"id\": 3, \"extra\": true}")), "no unknown-field rule: the schema allows extras");
        List<ConfigViolation> violations = schema.check(json("{\"id\": 0, \"name\": 5}"));
        assertEquals(2, violations.size(), violations.toString());
        assertEquals("id", violations.get(0).field());
        assertTrue(schema.check(json("{}")).get(0).toString().contains("id"), "required id is reported");
        JsonNode body = json("{\"id\": 2}");
        schema.check(body);
        assertEquals("{\"id\":2}", body.toString(), "nothing is filled into the checked value");
    }

    @Test
    void anInvalidSchemaIsRefused() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BoundSchema.userSchema(json("{\"type\": \"no-such-type\"}")));
        assertTrue(e.getMessage().startsWith("is not a valid JSON Schema"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BoundSchema.userSchema(json("{\"properties\": {\"a\": {\"minimum\": \"one\"}}}")));
    }
}
