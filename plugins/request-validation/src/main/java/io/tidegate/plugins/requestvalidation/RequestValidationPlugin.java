package io.tidegate.plugins.requestvalidation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.JsonSchemaCheck;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code request-validation} (priority 2800, rewrite phase): the headers (an object of
 * lower-case names) against {@code header_schema}, then the body, read whole up to
 * {@code max_req_body_size}, against {@code body_schema}: JSON, or the fields of an
 * {@code application/x-www-form-urlencoded} form. A request that fails, has no body, or a body that
 * does not parse (a JSON object with a key twice included) is answered {@code rejected_code} (400)
 * with {@code rejected_msg}, or else with what is wrong. The schemas are checked as JSON Schemas (draft 7) when the configuration loads.
 */
@Extension
public final class RequestValidationPlugin implements GatewayPlugin<RequestValidationPlugin.Settings> {
    public record Settings(JsonNode headerSchema, JsonNode bodySchema, int maxReqBodySize, int rejectedCode, String rejectedMsg) {}

    /**
     * Duplicate keys refused: the upstream's parser might take the other one than the value that
     * was checked ({"k":"bad","k":"good"}). APISIX re-encodes the checked body instead.
     */
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);  // {"a":1}{"a":2} is no one document

    @Override
    public String name() {
        return "request-validation";
    }

    @Override
    public int priority() {
        return 2800;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/request-validation.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        JsonSchemaCheck headers = config.headerSchema() == null ? null : services.jsonSchema("header_schema", config.headerSchema());
        JsonSchemaCheck body = config.bodySchema() == null ? null : services.jsonSchema("body_schema", config.bodySchema());
        return new PluginInstance() {
            @Override
            public PhaseResult rewrite(PluginContext context) {
                if (headers != null) {
                    List<String> wrong = headers.violations(headersOf(context));
                    if (!wrong.isEmpty()) {
                        return refuse(String.join("; ", wrong));
                    }
                }
                if (body == null) {
                    return PhaseResult.proceed();
                }
                if (context.request().headers("Content-Type").size() > 1) {
                    return refuse(null);  // duplicated Content-Type: which one would say how to read the body?
                }
                return PhaseResult.later(context.readBody(config.maxReqBodySize()).thenApply(bytes -> {
                    if (bytes == null || bytes.length == 0) {
                        return refuse(null);
                    }
                    JsonNode parsed;
                    try {
                        parsed = parse(context.request().header("Content-Type"), bytes);
                    } catch (IOException | IllegalArgumentException e) {  // a form's bad %-escape too
                        return refuse("invalid request body: " + e.getMessage());
                    }
                    List<String> wrong = body.violations(parsed);
                    return wrong.isEmpty() ? PhaseResult.proceed() : refuse(String.join("; ", wrong));
                }));
            }

            private PhaseResult refuse(String why) {
                String text = config.rejectedMsg() != null ? config.rejectedMsg() : why;
                return PhaseResult.respond(config.rejectedCode(), Map.of(), text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    /** As {@code core.request.headers}: lower-case names, a repeated header as an array. */
    private static ObjectNode headersOf(PluginContext context) {
        ObjectNode headers = JsonNodeFactory.instance.objectNode();
        context.request().forEachHeader((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (values.size() == 1) {
                headers.put(key, values.get(0));
            } else {
                values.forEach(headers.withArray(key)::add);
            }
        });
        return headers;
    }

    private static JsonNode parse(String contentType, byte[] bytes) throws IOException {
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            ObjectNode form = JsonNodeFactory.instance.objectNode();
            for (String pair : new String(bytes, StandardCharsets.UTF_8).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                JsonNode held = form.get(name);
                if (held == null) {
                    form.put(name, value);
                } else if (held.isArray()) {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) held).add(value);
                } else {
                    form.putArray(name).add(held).add(value);
                }
            }
            return form;
        }
        JsonNode json = JSON.readTree(bytes);
        if (json == null) {
            throw new IOException("empty");
        }
        return json;
    }
}
