package io.tidegate.plugin.api;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What a request phase decided: go on, or answer the client now (401, 429, ...). */
public final class PhaseResult {
    private static final PhaseResult PROCEED = new PhaseResult(0, Map.of(), null);

    private final int status;
    private final Map<String, String> headers;
    private final byte[] body;

    private PhaseResult(int status, Map<String, String> headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** Continue with the next plugin and phase. */
    public static PhaseResult proceed() {
        return PROCEED;
    }

    /** End the exchange with this status and body (sent as is) and headers. */
    public static PhaseResult respond(int status, Map<String, String> headers, byte[] body) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be 100-599: " + status);
        }
        return new PhaseResult(status, Map.copyOf(new LinkedHashMap<>(headers)), body == null ? new byte[0] : body.clone());
    }

    /** End the exchange with a JSON body, e.g. {@code respondJson(401, "{\"message\":\"...\"}")}. */
    public static PhaseResult respondJson(int status, String json) {
        return respond(status, Map.of("Content-Type", "application/json"), Objects.requireNonNull(json).getBytes(StandardCharsets.UTF_8));
    }

    public boolean proceeds() {
        return this == PROCEED;
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public byte[] body() {
        return body == null ? null : body.clone();
    }
}
