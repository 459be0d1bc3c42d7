package io.tidegate.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Set;

/**
 * Where Tidegate answers differently from APISIX, kept apart from the transcription:
 * {@code tidegate-differences/<dir>/<file>.yaml} lists, per case (and request), what Tidegate
 * answers instead, in a {@code kind} from {@code kinds.yaml} (which says why) that the README
 * counts, with a {@code why} of its own where the kind alone does not say enough. The transcribed case keeps
 * APISIX's expectation; the replay checks Tidegate's. A difference names:
 * <ul>
 *   <li>{@code test} and {@code request}, with {@code expect}: that request's expectations
 *       replaced as a whole (the status stays APISIX's unless given); with {@code truncate: true} the
 *       case's later requests, which build on what Tidegate answered differently, are not sent;</li>
 *   <li>{@code test} alone, with {@code case}: case fields replaced ({@code tidegate_refuses},
 *       {@code tidegate_accepts}, ...), the case's APISIX outcome then not checked.</li>
 * </ul>
 */
final class Differences {
    private static final Set<String> EXPECTATIONS = Set.of("status", "response_body", "response_body_like",
            "response_body_unlike", "response_json", "response_headers", "response_headers_present", "response_headers_like",
            "upstream_log_json", "upstream_log_like", "file_log_json", "file_log_like", "body_differs", "status_differs",
            "consistent", "same_body_as", "received_like", "received_none");
    private static final Set<String> OUTCOMES = Set.of("config_error", "tidegate_refuses", "tidegate_accepts");

    private Differences() {
    }

    /**
     * {@code cases} with the differences of {@code overlay} applied, in place.
     * @param kinds {@code tidegate-differences/kinds.yaml}: the kinds a difference may name, each with why
     */
    static void apply(JsonNode cases, JsonNode overlay, JsonNode kinds, String source) {
        for (JsonNode difference : overlay.path("differences")) {
            ObjectNode c = find(cases, difference.path("test").asText(), source);
            if (!kinds.hasNonNull(difference.path("kind").asText())) {
                throw new IllegalStateException(source + " TEST " + difference.path("test") + ": kind " + difference.path("kind")
                        + " is not one of tidegate-differences/kinds.yaml");
            }
            if (difference.has("case")) {
                OUTCOMES.forEach(c::remove);
                difference.path("case").fields().forEachRemaining(f -> c.set(f.getKey(), f.getValue()));
            }
            if (difference.has("request")) {
                JsonNode request = c.path("requests").path(difference.path("request").asInt());
                if (!(request instanceof ObjectNode r)) {
                    throw new IllegalStateException(source + " TEST " + difference.path("test") + " has no request " + difference.path("request"));
                }
                JsonNode status = r.get("status");
                for (Iterator<String> names = r.fieldNames(); names.hasNext(); ) {
                    if (EXPECTATIONS.contains(names.next())) {
                        names.remove();
                    }
                }
                if (status != null) {
                    r.set("status", status);
                }
                difference.path("expect").fields().forEachRemaining(f -> r.set(f.getKey(), f.getValue()));
                if (difference.path("truncate").asBoolean(false)) {
                    // the rest of the case builds on what Tidegate refused: it cannot run
                    com.fasterxml.jackson.databind.node.ArrayNode requests = (com.fasterxml.jackson.databind.node.ArrayNode) c.path("requests");
                    while (requests.size() > difference.path("request").asInt() + 1) {
                        requests.remove(requests.size() - 1);
                    }
                }
            }
        }
    }

    /** By the TEST's name as the .t file writes it: a number, or one such as {@code 51a}. */
    private static ObjectNode find(JsonNode cases, String test, String source) {
        for (JsonNode c : cases) {
            if (c.path("test").asText().equals(test) && c instanceof ObjectNode found) {
                if (found.has("not_applicable")) {
                    throw new IllegalStateException(source + " TEST " + test + " is not applicable: it cannot differ");
                }
                return found;
            }
        }
        throw new IllegalStateException(source + " has no TEST " + test);
    }
}
