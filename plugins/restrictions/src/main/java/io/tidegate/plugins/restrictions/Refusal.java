package io.tidegate.plugins.restrictions;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.tidegate.plugin.api.PhaseResult;

/** APISIX's answer when a restriction refuses: {@code {"message": "..."}} (or {@code error_msg}), made once per instance. */
final class Refusal {
    private Refusal() {
    }

    static PhaseResult json(int status, String field, String text) {
        return PhaseResult.respondJson(status, "{\"" + field + "\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"}");
    }
}
