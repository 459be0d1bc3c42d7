package io.tidegate.plugin.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Words what a schema accepts, for error messages in the gateway's style: "a non-empty string",
 * "an integer > 0", "one of \"local\", \"redis\"". Null when a schema says nothing a reader could
 * act on (no type, no enum).
 */
final class SchemaDescriptions {
    private SchemaDescriptions() {}

    static String describe(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return null;
        }
        if (schema.has("enum")) {
            List<String> values = new ArrayList<>();
            schema.get("enum").forEach(v -> values.add(v.toString()));
            return values.size() == 1 ? values.get(0) : "one of " + String.join(", ", values);
        }
        if (schema.has("const")) {
            return schema.get("const").toString();
        }
        JsonNode type = schema.get("type");
        if (type == null) {
            return null;
        }
        if (type.isArray()) {
            List<String> kinds = new ArrayList<>();
            type.forEach(t -> kinds.add(ofType(t.asText(), schema)));
            return String.join(" or ", kinds);
        }
        return ofType(type.asText(), schema);
    }

    private static String ofType(String type, JsonNode schema) {
        return switch (type) {
            case "string" -> string(schema);
            case "integer" -> "an integer" + bounds(schema);
            case "number" -> "a number" + bounds(schema);
            case "boolean" -> "a boolean";
            case "array" -> array(schema);
            case "object" -> "an object";
            case "null" -> "null";
            default -> type;
        };
    }

    private static String string(JsonNode schema) {
        int min = schema.path("minLength").asInt(0);
        JsonNode max = schema.get("maxLength");
        StringBuilder text = new StringBuilder(min == 1 ? "a non-empty string" : "a string");
        if (min > 1 && max != null && max.asInt() == min) {
            text.append(" of ").append(min).append(" characters");
        } else {
            if (min > 1) {
                text.append(" of at least ").append(min).append(" characters");
            }
            if (max != null) {
                text.append(min > 1 ? " and at most " : " of at most ").append(max.asInt()).append(" characters");
            }
        }
        if (schema.has("pattern")) {
            text.append(" matching ").append(schema.get("pattern").asText());
        }
        return text.toString();
    }

    private static String array(JsonNode schema) {
        int min = schema.path("minItems").asInt(0);
        StringBuilder text = new StringBuilder(min == 1 ? "a non-empty array" : "an array");
        if (min > 1) {
            text.append(" of at least ").append(min).append(" items");
        }
        if (schema.has("maxItems")) {
            text.append(min > 1 ? " and at most " : " of at most ").append(schema.get("maxItems").asInt()).append(" items");
        }
        String items = describe(schema.get("items"));
        if (items != null) {
            text.append(", each item ").append(items);
        }
        return text.toString();
    }

    private static String bounds(JsonNode schema) {
        List<String> parts = new ArrayList<>();
        bound(schema, "minimum", ">=", parts);
        bound(schema, "exclusiveMinimum", ">", parts);
        bound(schema, "maximum", "<=", parts);
        bound(schema, "exclusiveMaximum", "<", parts);
        return parts.isEmpty() ? "" : " " + String.join(" and ", parts);
    }

    private static void bound(JsonNode schema, String keyword, String operator, List<String> parts) {
        JsonNode value = schema.get(keyword);
        if (value != null && value.isNumber()) {
            parts.add(operator + " " + value.numberValue());
        }
    }
}
