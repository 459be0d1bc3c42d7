package io.tidegate.plugins.proxyrewrite;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigFields;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.pf4j.Extension;

/**
 * APISIX's {@code proxy-rewrite} (priority 1008, rewrite phase): {@code uri} (with {@code $var}s),
 * {@code regex_uri} ({@code [pattern, replacement, ...]}, first match wins, {@code uri} takes
 * precedence), {@code method}, {@code host}, and {@code headers} as {@code {add, set, remove}} or a
 * flat map meaning set. Header values may use {@code $var}s and {@code regex_uri} captures; a value
 * containing CR or LF is a configuration error.
 */
@Extension
public final class ProxyRewritePlugin implements GatewayPlugin {
    private static final Set<String> FIELDS = Set.of("uri", "regex_uri", "method", "host", "headers");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "MKCOL",
            "COPY", "MOVE", "PROPFIND", "LOCK", "UNLOCK", "PATCH", "TRACE", "CONNECT", "PURGE");
    private static final Set<String> HEADER_ACTIONS = Set.of("add", "set", "remove");

    @Override
    public String name() {
        return "proxy-rewrite";
    }

    @Override
    public int priority() {
        return 1008;
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        ConfigFields.requireOnly(config, FIELDS);
        Template uri = null;
        String uriText = text(config, "uri");
        if (uriText != null) {
            if (!uriText.startsWith("/") && !uriText.startsWith("$")) {
                throw new PluginConfigException("uri", "must start with / (or a $variable)");
            }
            uri = Template.compile(uriText);
        }
        List<ProxyRewriteInstance.RegexRule> regexRules = regexUri(config.get("regex_uri"));
        String method = text(config, "method");
        if (method != null && !METHODS.contains(method)) {
            throw new PluginConfigException("method", "must be one of " + String.join(", ", new java.util.TreeSet<>(METHODS)));
        }
        String host = text(config, "host");
        if (host != null) {
            singleLine("host", host);
        }
        JsonNode headers = config.get("headers");
        Map<String, Template> add = new LinkedHashMap<>();
        Map<String, Template> set = new LinkedHashMap<>();
        List<String> remove = new ArrayList<>();
        if (headers != null && !headers.isNull()) {
            if (!headers.isObject()) {
                throw new PluginConfigException("headers", "must be {add, set, remove} or a map of header names to values");
            }
            boolean structured = false;
            for (Iterator<String> it = headers.fieldNames(); it.hasNext(); ) {
                structured |= HEADER_ACTIONS.contains(it.next());
            }
            if (structured) {
                for (Iterator<String> it = headers.fieldNames(); it.hasNext(); ) {
                    String action = it.next();
                    if (!HEADER_ACTIONS.contains(action)) {
                        throw new PluginConfigException("headers." + action, "unknown field (use add, set, remove)");
                    }
                }
                headerMap(headers.get("add"), "headers.add", add);
                headerMap(headers.get("set"), "headers.set", set);
                JsonNode removed = headers.get("remove");
                if (removed != null) {
                    if (!removed.isArray()) {
                        throw new PluginConfigException("headers.remove", "must be a list of header names");
                    }
                    for (int i = 0; i < removed.size(); i++) {
                        if (!removed.get(i).isTextual() || removed.get(i).textValue().isEmpty()) {
                            throw new PluginConfigException("headers.remove[" + i + "]", "must be a header name");
                        }
                        remove.add(removed.get(i).textValue());
                    }
                }
            } else {
                headerMap(headers, "headers", set);
            }
        }
        if (uri == null && regexRules.isEmpty() && method == null && host == null && add.isEmpty() && set.isEmpty()
                && remove.isEmpty()) {
            throw new PluginConfigException("", "one of uri, regex_uri, method, host, headers is required");
        }
        return new ProxyRewriteInstance(uri, regexRules, method, host, add, set, List.copyOf(remove));
    }

    private static List<ProxyRewriteInstance.RegexRule> regexUri(JsonNode value) throws PluginConfigException {
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray() || value.isEmpty() || value.size() % 2 != 0) {
            throw new PluginConfigException("regex_uri", "must be a list of pattern, replacement pairs");
        }
        List<ProxyRewriteInstance.RegexRule> rules = new ArrayList<>();
        for (int i = 0; i < value.size(); i += 2) {
            if (!value.get(i).isTextual() || !value.get(i + 1).isTextual()) {
                throw new PluginConfigException("regex_uri[" + i + "]", "patterns and replacements must be strings");
            }
            try {
                rules.add(new ProxyRewriteInstance.RegexRule(Pattern.compile(value.get(i).textValue()),
                        Template.compile(value.get(i + 1).textValue())));
            } catch (PatternSyntaxException e) {
                throw new PluginConfigException("regex_uri[" + i + "]", "invalid regex: " + e.getDescription());
            }
        }
        return List.copyOf(rules);
    }

    private static void headerMap(JsonNode map, String path, Map<String, Template> into) throws PluginConfigException {
        if (map == null || map.isNull()) {
            return;
        }
        if (!map.isObject()) {
            throw new PluginConfigException(path, "must be a map of header names to values");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> header = it.next();
            String field = path + "." + header.getKey();
            if (!header.getValue().isValueNode() || header.getValue().isNull()) {
                throw new PluginConfigException(field, "must be a string");
            }
            String value = header.getValue().asText();
            singleLine(field, value);
            singleLine(field, header.getKey());
            into.put(header.getKey(), Template.compile(value));
        }
    }

    /** CR or LF in a header would let one configured value smuggle in another header. */
    private static void singleLine(String field, String value) throws PluginConfigException {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new PluginConfigException(field, "must not contain CR or LF");
        }
    }

    private static String text(JsonNode config, String field) throws PluginConfigException {
        JsonNode value = config.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.textValue().isEmpty()) {
            throw new PluginConfigException(field, "must be a non-empty string");
        }
        return value.textValue();
    }
}
