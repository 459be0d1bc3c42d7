package io.tidegate.plugins.proxyrewrite;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.Template;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.pf4j.Extension;

/**
 * APISIX's {@code proxy-rewrite} (priority 1008, rewrite phase): {@code uri} (with {@code $var}s),
 * {@code regex_uri} ({@code [pattern, replacement, ...]}, first match wins, {@code uri} takes
 * precedence), {@code method}, {@code host}, and {@code headers} as {@code {add, set, remove}} or a
 * flat map meaning set. Header values may use {@code $var}s and {@code regex_uri} captures; a header
 * name or value containing CR or LF is a configuration error. APISIX's schema, except that
 * {@code uri} may also start with a {@code $variable}, header values must be one line, and
 * {@code use_real_request_uri_unsafe} and multi-valued (array) header values are not supported.
 */
@Extension
public final class ProxyRewritePlugin implements GatewayPlugin<ProxyRewritePlugin.Settings> {
    /** The configuration, as the schema describes it. */
    public record Settings(String uri, List<String> regexUri, String method, String host, Headers headers) {}

    /**
     * {@code headers}: either the actions ({@code add}, {@code set}, {@code remove}) or, when none of
     * them is given, a flat map of headers to set (the schema allows one form or the other). A class
     * rather than a record: the flat form's entries are collected by {@link JsonAnySetter}, which on
     * a record component would also claim a header named like that component.
     */
    public static final class Headers {
        @JsonProperty private Map<String, String> add;
        @JsonProperty private Map<String, String> set;
        @JsonProperty private List<String> remove;
        private final Map<String, String> flat = new LinkedHashMap<>();

        @JsonAnySetter
        private void flat(String name, String value) {
            flat.put(name, value);
        }

        /** Headers to add, or null. */
        public Map<String, String> add() {
            return add;
        }

        /** Headers to set: {@code set}, or the flat map. */
        Map<String, String> toSet() {
            return set != null ? set : flat;
        }

        /** Where {@link #toSet()}'s headers were configured ({@code headers.set.} or {@code headers.}). */
        String setField() {
            return set != null ? "headers.set." : "headers.";
        }

        /** Headers to remove, or null. */
        public List<String> remove() {
            return remove;
        }
    }

    @Override
    public String name() {
        return "proxy-rewrite";
    }

    @Override
    public int priority() {
        return 1008;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/proxy-rewrite.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        Template uri = config.uri() == null ? null : services.template("uri", config.uri());
        List<ProxyRewriteInstance.RegexRule> regexRules = regexUri(config.regexUri(), services);
        Headers headers = config.headers();
        Map<String, Template> add = headers == null ? Map.of() : templates(headers.add(), "headers.add.", services);
        Map<String, Template> set = headers == null ? Map.of() : templates(headers.toSet(), headers.setField(), services);
        List<String> remove = headers == null || headers.remove() == null ? List.of() : List.copyOf(headers.remove());
        return new ProxyRewriteInstance(uri, regexRules, config.method(), config.host(), add, set, remove);
    }

    static List<ProxyRewriteInstance.RegexRule> regexUri(List<String> value, PluginServices services)
            throws PluginConfigException {
        if (value == null) {
            return List.of();
        }
        if (value.size() % 2 != 0) {
            throw new PluginConfigException("regex_uri", "must be a list of pattern, replacement pairs");
        }
        List<ProxyRewriteInstance.RegexRule> rules = new ArrayList<>();
        for (int i = 0; i < value.size(); i += 2) {
            Pattern pattern;
            try {
                pattern = Pattern.compile(value.get(i));
            } catch (PatternSyntaxException e) {
                throw new PluginConfigException("regex_uri[" + i + "]", "invalid regex: " + e.getDescription());
            }
            rules.add(new ProxyRewriteInstance.RegexRule(pattern, services.template("regex_uri[" + (i + 1) + "]", value.get(i + 1))));
        }
        return List.copyOf(rules);
    }

    private static Map<String, Template> templates(Map<String, String> headers, String field, PluginServices services)
            throws PluginConfigException {
        if (headers == null) {
            return Map.of();
        }
        Map<String, Template> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : headers.entrySet()) {
            out.put(header.getKey(), services.template(field + header.getKey(), header.getValue()));
        }
        return Collections.unmodifiableMap(out);
    }
}
