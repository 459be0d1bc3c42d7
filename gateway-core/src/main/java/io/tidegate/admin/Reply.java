package io.tidegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the Admin API answers, in APISIX's shapes: a status, a JSON body (or a text body of its own
 * type, or none) and any headers of its own.
 */
record Reply(int status, JsonNode body, String text, String contentType, Map<String, String> headers) {
    Reply(int status, JsonNode body) {
        this(status, body, null, "application/json", Map.of());
    }

    static Reply error(int status, String message) {
        return new Reply(status, JsonNodeFactory.instance.objectNode().put("error_msg", message));
    }

    static Reply notFound() {
        return new Reply(404, JsonNodeFactory.instance.objectNode().put("message", "Key not found"));
    }

    static Reply empty(int status) {
        return new Reply(status, null, null, null, Map.of());
    }

    static Reply text(int status, String text, String contentType) {
        return new Reply(status, null, text, contentType, Map.of());
    }

    Reply withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Reply(status, body, text, contentType, Map.copyOf(more));
    }
}
