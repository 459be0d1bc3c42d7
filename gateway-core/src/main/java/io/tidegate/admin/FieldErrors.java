package io.tidegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.Problem;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A refused write as a form shows it: {@code error_msg} as the Admin API words it, plus
 * {@code errors: [{field, message}]}, each field relative to the resource written
 * ({@code upstream.nodes}), so an editor can show the message next to its control. Problems about
 * other resources (a route that would lose its upstream) have no field.
 */
final class FieldErrors {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** "uri: must start with /": a path of names, indexes and dots, then the message. */
    private static final Pattern FIELD_FIRST = Pattern.compile("^([A-Za-z0-9_\\-.\\[\\]\"]+): (.+)$", Pattern.DOTALL);

    private FieldErrors() {
    }

    /**
     * Problems of a whole configuration in which the resource written is item {@code index} of
     * {@code list} (-1: none of them is, a delete or a restore, say), {@code prefix} put before the message.
     */
    static ResourceStore.Answer of(List<Problem> problems, String list, int index, String prefix) {
        ArrayNode errors = NODES.arrayNode();
        StringBuilder message = new StringBuilder(prefix);
        for (Problem problem : problems) {
            boolean own = index >= 0 && problem.itemOf(list) == index;
            Problem shown = own ? problem.relativeTo(list, index) : problem;
            ObjectNode error = errors.addObject();
            if (own) {
                error.put("field", shown.path());
            } else {
                error.putNull("field");
            }
            error.put("message", own ? shown.message() : shown.text());
            message.append(message.length() == prefix.length() ? "" : "; ").append(shown.text());
        }
        return answer(message.toString(), errors);
    }

    /** An Admin API answer; a 400's {@code error_msg} (one or more "field: message" joined by "; ") gains its fields. */
    static ResourceStore.Answer of(Reply reply) {
        if (reply.status() != 400 || reply.body() == null || !reply.body().path("error_msg").isTextual()) {
            return ResourceStore.Answer.of(reply);
        }
        String text = reply.body().path("error_msg").asText();
        ArrayNode errors = NODES.arrayNode();
        for (String part : text.split("; ")) {
            Matcher m = FIELD_FIRST.matcher(part);
            ObjectNode error = errors.addObject();
            if (m.matches()) {
                error.put("field", m.group(1)).put("message", m.group(2));
            } else {
                error.putNull("field").put("message", part);
            }
        }
        return answer(text, errors);
    }

    private static ResourceStore.Answer answer(String message, JsonNode errors) {
        ObjectNode body = NODES.objectNode().put("error_msg", message);
        body.set("errors", errors);
        return new ResourceStore.Answer(400, body);
    }
}
