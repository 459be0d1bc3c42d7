package io.tidegate.plugins.echo;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigFields;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * APISIX's {@code echo} plugin (priority 412): {@code body} replaces the upstream's response body,
 * {@code before_body} and {@code after_body} surround it, {@code headers} sets response headers.
 * At least one of them is required.
 */
@Extension
public final class EchoPlugin implements GatewayPlugin {
    private static final Set<String> FIELDS = Set.of("before_body", "body", "after_body", "headers");

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public int priority() {
        return 412;
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        ConfigFields.requireOnly(config, FIELDS);
        String before = text(config, "before_body");
        String body = text(config, "body");
        String after = text(config, "after_body");
        Map<String, String> headers = headers(config);
        if (before == null && body == null && after == null && headers.isEmpty()) {
            throw new PluginConfigException("", "one of before_body, body, after_body, headers is required");
        }
        return new EchoInstance(before, body, after, headers);
    }

    private static String text(JsonNode config, String field) throws PluginConfigException {
        JsonNode value = config.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new PluginConfigException(field, "must be a string");
        }
        return value.textValue();
    }

    private static Map<String, String> headers(JsonNode config) throws PluginConfigException {
        JsonNode value = config.get("headers");
        if (value == null || value.isNull()) {
            return Map.of();
        }
        if (!value.isObject()) {
            throw new PluginConfigException("headers", "must be an object of header names to values");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> header = it.next();
            String text = header.getValue().asText();
            if (!header.getValue().isValueNode() || text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
                throw new PluginConfigException("headers." + header.getKey(), "must be a single-line string");
            }
            out.put(header.getKey(), text);
        }
        return Map.copyOf(out);
    }
}
