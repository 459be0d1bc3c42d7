package io.tidegate.plugin.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What a request phase decided: go on, answer the client now (401, 429, ...), go on after a delay,
 * or decide later when an asynchronous call completes. The last two hold no thread while waiting;
 * they are honoured in rewrite and access (before_proxy must decide at once).
 */
public final class PhaseResult {
    private static final PhaseResult PROCEED = new PhaseResult(0, Map.of(), null, null, null);

    private final int status;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final Duration delay;
    private final CompletionStage<PhaseResult> pending;

    private PhaseResult(int status, Map<String, List<String>> headers, byte[] body, Duration delay, CompletionStage<PhaseResult> pending) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.delay = delay;
        this.pending = pending;
    }

    /** Continue with the next plugin after {@code delay} (limit-req's and limit-conn's way of slowing a client down). */
    public static PhaseResult after(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        return delay.isZero() ? PROCEED : new PhaseResult(0, Map.of(), null, delay, null);
    }

    /**
     * The outcome arrives later (a call to Redis, say); the request waits without holding a thread.
     * The stage must complete with {@link #proceed()} or a response; completing exceptionally
     * fails the request with 500.
     */
    public static PhaseResult later(CompletionStage<PhaseResult> outcome) {
        return new PhaseResult(0, Map.of(), null, null, Objects.requireNonNull(outcome));
    }

    /** The delay of an {@link #after} result, else null. */
    public Duration delay() {
        return delay;
    }

    /** The pending outcome of a {@link #later} result, else null. */
    public CompletionStage<PhaseResult> pending() {
        return pending;
    }

    /** Whether the decision is deferred ({@link #after} or {@link #later}). */
    public boolean isDeferred() {
        return delay != null || pending != null;
    }

    /** Continue with the next plugin and phase. */
    public static PhaseResult proceed() {
        return PROCEED;
    }

    /** End the exchange with this status and body (sent as is) and headers, one value each. */
    public static PhaseResult respond(int status, Map<String, String> headers, byte[] body) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        headers.forEach((name, value) -> multi.put(name, List.of(value)));
        return respondWithHeaders(status, multi, body);
    }

    /**
     * End the exchange with this status, body and headers, each with all its values in order
     * ({@code Set-Cookie}, say). The result is immutable: a plugin may keep it and return it for
     * many requests.
     */
    public static PhaseResult respondWithHeaders(int status, Map<String, List<String>> headers, byte[] body) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be 100-599: " + status);
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        return new PhaseResult(status, Collections.unmodifiableMap(copy), body == null ? new byte[0] : body.clone(), null, null);
    }

    /** This answer with one more value of header {@code name} (after any it has). */
    public PhaseResult withHeader(String name, String value) {
        if (status == 0) {
            throw new IllegalStateException("only an answer has headers");
        }
        Map<String, List<String>> more = new LinkedHashMap<>(headers);
        List<String> values = new ArrayList<>(more.getOrDefault(name, List.of()));
        values.add(Objects.requireNonNull(value));
        more.put(name, values);
        return respondWithHeaders(status, more, body);
    }

    /**
     * End the exchange with a JSON body, e.g. {@code respondJson(401, "{\"message\":\"...\"}")}; a
     * newline is added, as APISIX's {@code core.response.exit} adds one after a JSON body.
     */
    public static PhaseResult respondJson(int status, String json) {
        return respond(status, Map.of("Content-Type", "application/json"),
                (Objects.requireNonNull(json) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * End the exchange with APISIX's one-field JSON answer, {@code {"<field>":"<text>"}} and a
     * newline (e.g. {@code respondMessage(403, "message", configuredMessage)}), the text escaped as
     * JSON requires: configured messages may hold quotes or backslashes.
     */
    public static PhaseResult respondMessage(int status, String field, String text) {
        return respondJson(status, "{" + JsonNodeFactory.instance.textNode(field) + ":"
                + JsonNodeFactory.instance.textNode(Objects.requireNonNull(text)) + "}");
    }

    public boolean proceeds() {
        return this == PROCEED;
    }

    public int status() {
        return status;
    }

    /** The answer's headers, each with its values in order. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    public byte[] body() {
        return body == null ? null : body.clone();
    }

    /**
     * The answer's body, read-only and not copied (null when it is no answer): how the gateway sends
     * it, so an answer a plugin keeps and returns again (a cached response) costs no copy per request.
     */
    public java.nio.ByteBuffer bodyView() {
        return body == null ? null : java.nio.ByteBuffer.wrap(body).asReadOnlyBuffer();
    }
}
