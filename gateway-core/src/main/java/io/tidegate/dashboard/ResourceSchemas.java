package io.tidegate.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.admin.ResourceStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * JSON Schemas of the resources, from which the dashboard draws its forms (the plugins bring
 * their own). They describe the fields for people; what is accepted is still decided by the
 * gateway's own validation, whose errors the form shows at their field. {@code {"$ref": "upstreams"}}
 * stands for the upstream schema, inlined.
 */
final class ResourceSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResourceSchemas() {
    }

    static ObjectNode load() {
        ObjectNode all = JSON.createObjectNode();
        for (String list : ResourceStore.LISTS) {
            if (!list.equals("protos")) {
                all.set(list, read(list));
            }
        }
        all.properties().forEach(entry -> inline(entry.getValue(), all));
        return all;
    }

    private static JsonNode read(String list) {
        try (InputStream in = ResourceSchemas.class.getResourceAsStream("schemas/" + list + ".json")) {
            if (in == null) {
                throw new IllegalStateException("schemas/" + list + ".json is missing from the jar");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void inline(JsonNode schema, ObjectNode all) {
        if (!(schema instanceof ObjectNode object)) {
            return;
        }
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            JsonNode value = field.getValue();
            if (value.isObject() && value.size() == 1 && value.path("$ref").isTextual() && all.has(value.get("$ref").asText())) {
                field.setValue(all.get(value.get("$ref").asText()).deepCopy());
            } else {
                inline(value, all);
            }
        }
    }
}
