package io.tidegate.plugins.simulation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A body made from a JSON Schema as APISIX's mocking makes one: each property's {@code example}
 * when it has one of its type, else a random value (a string of 1-10 lower-case letters, a number
 * up to 10000, an integer 1-10000, a boolean, an array of 1-3 items); objects by their properties.
 */
final class ExampleBodies {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ExampleBodies() {}

    static String json(JsonNode schema) {
        return object(schema).toString();
    }

    /** As xml2lua.toXml(output, "data"): the object's fields as elements of {@code <data>}, an array as repeated elements. */
    static String xml(JsonNode schema) {
        StringBuilder out = new StringBuilder("<data>");
        object(schema).fields().forEachRemaining(field -> element(out, field.getKey(), field.getValue()));
        return out.append("</data>").toString();
    }

    private static void element(StringBuilder out, String name, JsonNode value) {
        if (value.isArray()) {
            value.forEach(item -> element(out, name, item));
            return;
        }
        out.append('<').append(name).append('>');
        if (value.isObject()) {
            value.fields().forEachRemaining(field -> element(out, field.getKey(), field.getValue()));
        } else {
            out.append(escape(value.asText()));
        }
        out.append("</").append(name).append('>');
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static ObjectNode object(JsonNode schema) {
        ObjectNode out = NODES.objectNode();
        JsonNode properties = schema == null ? null : schema.get("properties");
        if (properties != null && properties.isObject()) {
            for (Map.Entry<String, JsonNode> property : (Iterable<Map.Entry<String, JsonNode>>) properties::fields) {
                JsonNode value = value(property.getValue());
                if (value != null) {
                    out.set(property.getKey(), value);
                }
            }
        }
        return out;
    }

    private static JsonNode value(JsonNode property) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        JsonNode example = property.get("example");
        String type = property.path("type").asText("").toLowerCase(Locale.ROOT);
        switch (type) {
            case "array" -> {
                JsonNode items = property.get("items");
                if (items == null) {
                    return null;
                }
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(1, 4); i > 0; i--) {
                    JsonNode item = value(items);
                    if (item != null) {
                        array.add(item);
                    }
                }
                return array;
            }
            case "object" -> {
                return object(property);
            }
            case "string" -> {
                if (example != null && example.isTextual()) {
                    return example;
                }
                StringBuilder text = new StringBuilder();
                for (int i = random.nextInt(1, 11); i > 0; i--) {
                    text.append((char) random.nextInt('a', 'z' + 1));
                }
                return NODES.textNode(text.toString());
            }
            case "number" -> {
                return example != null && example.isNumber() ? example : NODES.numberNode(random.nextDouble() * 10000);
            }
            case "integer" -> {
                return example != null && example.isNumber() ? NODES.numberNode((long) Math.floor(example.asDouble()))
                        : NODES.numberNode(random.nextInt(1, 10001));
            }
            case "boolean" -> {
                return example != null && example.isBoolean() ? example : NODES.booleanNode(random.nextBoolean());
            }
            default -> {
                return null;
            }
        }
    }
}
