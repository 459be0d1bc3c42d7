package io.tidegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** What the Admin API answers: a status and a JSON body, in APISIX's shapes. */
record Reply(int status, JsonNode body) {
    static Reply error(int status, String message) {
        return new Reply(status, JsonNodeFactory.instance.objectNode().put("error_msg", message));
    }

    static Reply notFound() {
        return new Reply(404, JsonNodeFactory.instance.objectNode().put("message", "Key not found"));
    }
}
