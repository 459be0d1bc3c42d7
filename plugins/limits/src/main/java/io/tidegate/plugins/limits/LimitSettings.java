package io.tidegate.plugins.limits;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/** The settings the three limit plugins share: allowed fields, the key, and the rejection. */
final class LimitSettings {
    private LimitSettings() {}

    /** {@code key_type} and {@code key}; {@code constant} only where the plugin allows it. */
    static KeySource key(JsonNode config, Set<String> keyTypes) throws PluginConfigException {
        String keyType = config.path("key_type").asText("var");
        if (!keyTypes.contains(keyType)) {
            throw new PluginConfigException("key_type", "must be one of " + String.join(", ", new java.util.TreeSet<>(keyTypes)));
        }
        String key = config.path("key").asText("remote_addr");
        if (key.isEmpty()) {
            throw new PluginConfigException("key", "must not be empty");
        }
        return KeySource.of(keyType, key);
    }

    /** What {@code key_type} and {@code key} say, for telling limits apart. */
    static String keyDescription(JsonNode config) {
        return config.path("key_type").asText("var") + ":" + config.path("key").asText("remote_addr");
    }

    static int positiveInt(JsonNode config, String field) throws PluginConfigException {
        JsonNode value = config.get(field);
        if (value == null) {
            throw new PluginConfigException(field, "is required");
        }
        if (!value.isInt() || value.intValue() <= 0) {
            throw new PluginConfigException(field, "must be > 0");
        }
        return value.intValue();
    }

    static double number(JsonNode config, String field, Double fallback, boolean allowZero) throws PluginConfigException {
        JsonNode value = config.get(field);
        if (value == null) {
            if (fallback == null) {
                throw new PluginConfigException(field, "is required");
            }
            return fallback;
        }
        if (!value.isNumber() || (allowZero ? value.doubleValue() < 0 : value.doubleValue() <= 0)) {
            throw new PluginConfigException(field, allowZero ? "must be >= 0" : "must be > 0");
        }
        return value.doubleValue();
    }

    /** The local policy only, for the plugins that have no other. */
    static void localPolicyOnly(JsonNode config) throws PluginConfigException {
        String policy = config.path("policy").asText("local");
        if (!policy.equals("local")) {
            throw new PluginConfigException("policy", "must be local");
        }
    }

    /** {@code rejected_code} (default 503) and {@code rejected_msg}, as the response a rejection sends. */
    record Rejection(int code, byte[] body) {
        PhaseResult respond(Map<String, String> headers) {
            Map<String, String> all = new java.util.LinkedHashMap<>(headers);
            if (body.length > 0) {
                all.put("Content-Type", "application/json");
            }
            return PhaseResult.respond(code, all, body);
        }

        static Rejection of(JsonNode config) throws PluginConfigException {
            JsonNode code = config.get("rejected_code");
            if (code != null && (!code.isInt() || code.intValue() < 200 || code.intValue() > 599)) {
                throw new PluginConfigException("rejected_code", "must be an integer between 200 and 599");
            }
            JsonNode message = config.get("rejected_msg");
            if (message != null && (!message.isTextual() || message.textValue().isEmpty())) {
                throw new PluginConfigException("rejected_msg", "must be a non-empty string");
            }
            byte[] body = message == null ? new byte[0]
                    : ("{\"error_msg\":" + com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.textNode(message.textValue())
                    + "}").getBytes(StandardCharsets.UTF_8);
            return new Rejection(code == null ? 503 : code.intValue(), body);
        }
    }
}
