package io.tidegate.plugins.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ExampleBodiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void xmlPutsFieldsUnderData() throws Exception {
        String xml = ExampleBodies.xml(JSON.readTree("""
                {"properties": {"id": {"type": "integer", "example": 7}, "name": {"type": "string", "example": "a<b"},
                 "ok": {"type": "boolean", "example": true}}}"""));
        assertEquals("<data><id>7</id><name>a&lt;b</name><ok>true</ok></data>", xml);
    }

    @Test
    void nestedObjectsAndUnknownTypes() throws Exception {
        String json = ExampleBodies.json(JSON.readTree("""
                {"properties": {"user": {"type": "object", "properties": {"age": {"type": "integer", "example": 3.9}}}, "x": {"type": "null"}}}"""));
        assertEquals("{\"user\":{\"age\":3}}", json);
        assertTrue(ExampleBodies.json(JSON.readTree("{}")).equals("{}"));
    }
}
