package io.tidegate.plugin.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.plugin.api.ConfigSchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A declared schema checks, fills and binds a configuration, with errors in the gateway's words. */
class BoundSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Limits(int count, int timeWindow, String policy, String key, boolean hideCredentials,
                         List<String> allowed, Map<String, String> headers) {}

    private static final BoundSchema<Limits> LIMITS = BoundSchema.compile(ConfigSchema.of(Limits.class, """
            {"type": "object",
             "properties": {
               "count": {"type": "integer", "exclusiveMinimum": 0},
               "time_window": {"type": "integer", "minimum": 1, "default": 60},
               "policy": {"type": "string", "enum": ["local", "redis"], "default": "local"},
               "key": {"type": "string", "minLength": 1},
               "hide_credentials": {"type": "boolean", "default": false},
               "allowed": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
               "headers": {"type": "object", "additionalProperties": {"type": "string"}}
             },
             "required": ["count", "key"]}"""));

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static List<String> violations(String config) throws Exception {
        InvalidConfig e = assertThrows(InvalidConfig.class, () -> LIMITS.bind(json(config)));
        return e.violations().stream().map(v -> v.field() + ": " + v.message()).toList();
    }

    @Test
    void aValidConfigurationIsBoundWithItsDefaults() throws Exception {
        Limits bound = LIMITS.bind(json("{\"count\": 3, \"key\": \"remote_addr\", \"allowed\": [\"a\"], \"headers\": {\"X-A\": \"1\"}}"));
        assertEquals(new Limits(3, 60, "local", "remote_addr", false, List.of("a"), Map.of("X-A", "1")), bound);
    }

    @Test
    void theConfigurationGivenIsLeftAsItWas() throws Exception {
        JsonNode config = json("{\"count\": 3, \"key\": \"k\"}");
        LIMITS.bind(config);
        assertEquals("{\"count\":3,\"key\":\"k\"}", config.toString(), "defaults go into a copy");
    }

    @Test
    void everyViolationIsReportedAtItsPathInTheGatewaysWords() throws Exception {
        // unknown fields first, then in the order the schema declares its fields
        assertEquals(List.of(
                "colour: unknown field",
                "count: must be an integer > 0",
                "policy: must be one of \"local\", \"redis\"",
                "key: must be a non-empty string",
                "allowed[1]: must be a non-empty string",
                "headers.X-B: must be a string"),
                violations("{\"colour\": 1, \"count\": 0, \"key\": \"\", \"policy\": \"cluster\", \"allowed\": [\"a\", \"\"],"
                        + " \"headers\": {\"X-B\": 2}}"));
    }

    @Test
    void missingFieldsSayWhatTheyMustBe() throws Exception {
        assertEquals(List.of("count: is required (an integer > 0)", "key: is required (a non-empty string)"), violations("{}"));
    }

    @Test
    void nullIsNotAbsence() throws Exception {
        assertEquals(List.of("key: must be a non-empty string"), violations("{\"count\": 1, \"key\": null}"));
    }

    public record Either(String body, String headers) {}

    @Test
    void alternativesOfRequiredFieldsAreOneMessage() throws Exception {
        BoundSchema<Either> either = BoundSchema.compile(ConfigSchema.of(Either.class, """
                {"type": "object", "properties": {"body": {"type": "string"}, "headers": {"type": "string"}},
                 "anyOf": [{"required": ["body"]}, {"required": ["headers"]}]}"""));
        InvalidConfig e = assertThrows(InvalidConfig.class, () -> either.bind(json("{}")));
        assertEquals(List.of(new ConfigViolation("", "one of body, headers is required")), e.violations());
    }

    public record Named(Map<String, String> headers) {}

    @Test
    void aRefusedNameIsNamedOnOneLine() throws Exception {
        BoundSchema<Named> named = BoundSchema.compile(ConfigSchema.of(Named.class, """
                {"type": "object", "properties": {"headers": {"type": "object", "propertyNames": {"pattern": "^[^:\\\\r\\\\n]+$"}}}}"""));
        InvalidConfig e = assertThrows(InvalidConfig.class, () -> named.bind(json("{\"headers\": {\"X-A\\r\\nSet-Cookie: x\": \"1\"}}")));
        assertEquals(List.of(new ConfigViolation("headers.X-A\\u000d\\u000aSet-Cookie: x", "is not an allowed name")), e.violations());
        InvalidConfig unknown = assertThrows(InvalidConfig.class, () -> named.bind(json("{\"a\\nb\": 1}")));
        assertEquals("a\\u000ab", unknown.violations().get(0).field());
    }

    public record Outer(Inner inner, List<Inner> list) {}

    public record Inner(String a) {}

    @Test
    void aTypoInANestedObjectIsAnUnknownFieldToo() throws Exception {
        BoundSchema<Outer> outer = BoundSchema.compile(ConfigSchema.of(Outer.class, """
                {"type": "object", "properties": {
                  "inner": {"type": "object", "properties": {"a": {"type": "string"}}},
                  "list": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}}}}"""));
        InvalidConfig e = assertThrows(InvalidConfig.class,
                () -> outer.bind(json("{\"inner\": {\"a\": \"x\", \"typo\": 1}, \"list\": [{\"a\": \"y\"}, {\"b\": 2}]}")));
        assertEquals(List.of(new ConfigViolation("inner.typo", "unknown field"), new ConfigViolation("list[1].b", "unknown field")),
                e.violations());
    }

    @Test
    void aSchemaThatIsNotJsonIsRefusedWhenTheSchemaIsCompiled() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BoundSchema.compile(ConfigSchema.of(Limits.class, "{\"type\": ")));
        assertEquals(true, e.getMessage().startsWith("its schema is not JSON"), e.getMessage());
    }
}
