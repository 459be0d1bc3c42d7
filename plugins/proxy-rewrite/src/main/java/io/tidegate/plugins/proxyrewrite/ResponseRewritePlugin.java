package io.tidegate.plugins.proxyrewrite;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.Template;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.pf4j.Extension;

/**
 * APISIX's {@code response-rewrite} (priority 899): when its {@code vars} hold for the response,
 * sets {@code status_code}, changes headers (add, then set, then remove; values with $variables)
 * and replaces the body with {@code body} ({@code body_base64}) or rewrites it with
 * {@code filters} (regex replacements in order, once or global, on the body held up to
 * {@code max_resp_body_size} and decoded from gzip or deflate first).
 */
@Extension
public final class ResponseRewritePlugin implements GatewayPlugin<ResponseRewritePlugin.Settings> {
    public record Filter(String regex, String scope, String replace, String options) {}

    public record Settings(int maxRespBodySize, JsonNode headers, String body, boolean bodyBase64, Integer statusCode, JsonNode vars,
                           List<Filter> filters) {}

    /** A compiled filter: the regex, its replacement (with $0-$9 and ${N} captures, as ngx.re.sub), once or all. */
    record BodyFilter(Pattern pattern, String replacement, boolean global) {}

    /** Header changes, in APISIX's order. */
    record HeaderChanges(List<Map.Entry<String, Template>> add, Map<String, Template> set, List<String> remove) {}

    @Override
    public String name() {
        return "response-rewrite";
    }

    @Override
    public int priority() {
        return 899;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/response-rewrite.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        byte[] body = null;
        if (config.body() != null) {
            if (config.bodyBase64()) {
                try {
                    body = Base64.getDecoder().decode(config.body().strip());
                } catch (IllegalArgumentException e) {
                    throw new PluginConfigException("body", "invalid base64 content");
                }
                if (config.body().isBlank()) {
                    throw new PluginConfigException("body", "invalid base64 content");
                }
            } else {
                body = config.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
        } else if (config.bodyBase64()) {
            throw new PluginConfigException("body", "invalid base64 content");
        }
        Predicate<PluginContext> when = config.vars() == null ? null : services.conditions("vars", config.vars());
        List<BodyFilter> filters = new ArrayList<>();
        if (config.filters() != null) {
            for (int i = 0; i < config.filters().size(); i++) {
                Filter filter = config.filters().get(i);
                filters.add(new BodyFilter(compile("filters[" + i + "]", filter), filter.replace(), filter.scope().equals("global")));
            }
        }
        return new ResponseRewriteInstance(config.statusCode(), headerChanges(config.headers(), services), body, List.copyOf(filters),
                config.maxRespBodySize(), when);
    }

    private static Pattern compile(String field, Filter filter) throws PluginConfigException {
        int flags = 0;
        for (char option : filter.options().toCharArray()) {
            switch (option) {
                case 'i' -> flags |= Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
                case 'm' -> flags |= Pattern.MULTILINE;
                case 's' -> flags |= Pattern.DOTALL;
                case 'x' -> flags |= Pattern.COMMENTS;
                case 'u' -> flags |= Pattern.UNICODE_CHARACTER_CLASS;
                case 'j', 'o', 'J', 'D', 'a', 'U' -> { }  // JIT, compile once, duplicate names, anchoring hints: no meaning here
                default -> throw new PluginConfigException(field + ".options", "unknown flag \"" + option + "\"");
            }
        }
        try {
            return Pattern.compile(filter.regex(), flags);
        } catch (PatternSyntaxException e) {
            throw new PluginConfigException(field + ".regex", "regex \"" + filter.regex() + "\" validation failed: " + e.getDescription());
        }
    }

    private static HeaderChanges headerChanges(JsonNode headers, PluginServices services) throws PluginConfigException {
        List<Map.Entry<String, Template>> add = new ArrayList<>();
        Map<String, Template> set = new LinkedHashMap<>();
        List<String> remove = new ArrayList<>();
        if (headers == null) {
            return new HeaderChanges(add, set, remove);
        }
        boolean operations = headers.has("add") || headers.has("set") || headers.has("remove");
        if (!operations) {
            for (Map.Entry<String, JsonNode> header : (Iterable<Map.Entry<String, JsonNode>>) headers::fields) {
                set.put(header.getKey(), services.template("headers." + header.getKey(), header.getValue().asText()));
            }
            return new HeaderChanges(add, set, remove);
        }
        Pattern line = Pattern.compile("^([^:\\s]+)\\s*:\\s*([^:]+)$");
        for (int i = 0; i < headers.path("add").size(); i++) {
            Matcher m = line.matcher(headers.path("add").get(i).asText());
            if (!m.matches()) {
                throw new PluginConfigException("headers.add[" + i + "]", "must be \"name: value\"");
            }
            add.add(Map.entry(m.group(1), services.template("headers.add[" + i + "]", m.group(2))));
        }
        for (Map.Entry<String, JsonNode> header : (Iterable<Map.Entry<String, JsonNode>>) headers.path("set")::fields) {
            set.put(header.getKey(), services.template("headers.set." + header.getKey(), header.getValue().asText()));
        }
        headers.path("remove").forEach(name -> remove.add(name.asText()));
        return new HeaderChanges(List.copyOf(add), set, List.copyOf(remove));
    }
}
