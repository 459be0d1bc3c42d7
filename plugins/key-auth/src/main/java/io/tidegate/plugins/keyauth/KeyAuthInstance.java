package io.tidegate.plugins.keyauth;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Looks the key up in the header, then the query; the consumer index is built once per config. */
final class KeyAuthInstance implements PluginInstance {
    private static final PhaseResult MISSING = PhaseResult.respondJson(401, "{\"message\":\"Missing API key in request\"}");
    private static final PhaseResult INVALID = PhaseResult.respondJson(401, "{\"message\":\"Invalid API key in request\"}");

    private final String header;
    private final String query;
    private final boolean hideCredentials;
    private final Map<String, String> consumersByKey;

    KeyAuthInstance(String header, String query, boolean hideCredentials, Map<String, String> consumersByKey) {
        this.header = header;
        this.query = query;
        this.hideCredentials = hideCredentials;
        this.consumersByKey = consumersByKey;
    }

    @Override
    public PhaseResult rewrite(PluginContext context) {
        String key = context.request().header(header);
        boolean fromHeader = key != null;
        if (key == null) {
            key = context.request().queryArg(query);
        }
        if (key == null) {
            return MISSING;
        }
        String consumer = consumersByKey.get(key);
        if (consumer == null || !context.authenticate(consumer)) {
            return INVALID;
        }
        if (hideCredentials) {
            if (fromHeader) {
                context.upstreamRequest().removeHeader(header);
            } else {
                context.upstreamRequest().setQuery(withoutArg(context.upstreamRequest().query(), query));
            }
        }
        return PhaseResult.proceed();
    }

    /** The raw query string without every occurrence of one argument, the rest untouched. */
    static String withoutArg(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String> kept = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            if (!URLDecoder.decode(rawName, StandardCharsets.UTF_8).equals(name)) {
                kept.add(pair);
            }
        }
        return String.join("&", kept);
    }

}
