package io.tidegate.plugins.limits;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.tidegate.plugin.api.PhaseResult;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the three limit plugins share: the rejection they answer with. */
final class LimitSettings {
    private LimitSettings() {}

    /** {@code rejected_code} and {@code rejected_msg}, as the response a rejection sends. */
    record Rejection(int code, byte[] body) {
        /** {@code message} null: an empty body, as APISIX sends. */
        static Rejection of(int code, String message) {
            byte[] body = message == null ? new byte[0]
                    : ("{\"error_msg\":" + JsonNodeFactory.instance.textNode(message) + "}\n").getBytes(StandardCharsets.UTF_8);
            return new Rejection(code, body);
        }

        PhaseResult respond(Map<String, String> headers) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            if (body.length > 0) {
                all.put("Content-Type", "application/json");
            }
            return PhaseResult.respond(code, all, body);
        }
    }
}
