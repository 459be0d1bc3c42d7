package io.tidegate.plugins.keyauth;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Looks the key up in the header, then the query; the consumer index is built once per
 * configuration. A request that fails goes on as the anonymous consumer when one is configured,
 * else gets 401 with {@code WWW-Authenticate: apikey realm="..."}, as in APISIX.
 */
final class KeyAuthInstance implements PluginInstance {
    private final String header;
    private final String query;
    private final boolean hideCredentials;
    private final String anonymous;
    private final Map<String, String> consumersByKey;
    private final PhaseResult missing;
    private final PhaseResult invalid;

    KeyAuthInstance(KeyAuthPlugin.Settings settings, Map<String, String> consumersByKey) {
        this.header = settings.header();
        this.query = settings.query();
        this.hideCredentials = settings.hideCredentials();
        this.anonymous = settings.anonymousConsumer();
        this.consumersByKey = consumersByKey;
        String challenge = "apikey realm=\"" + settings.realm() + "\"";
        this.missing = unauthorized("Missing API key in request", challenge);
        this.invalid = unauthorized("Invalid API key in request", challenge);
    }

    private static PhaseResult unauthorized(String message, String challenge) {
        return PhaseResult.respondJson(401, "{\"message\":\"" + message + "\"}").withHeader("WWW-Authenticate", challenge);
    }

    @Override
    public PhaseResult rewrite(PluginContext context) {
        String key = context.request().header(header);
        boolean fromHeader = key != null;
        if (key == null) {
            key = context.request().queryArg(query);
        }
        if (key == null) {
            return anonymousOr(context, missing);
        }
        String consumer = consumersByKey.get(key);
        if (consumer == null || !context.authenticate(consumer)) {
            return anonymousOr(context, invalid);
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

    /**
     * APISIX's anonymous_consumer: a request that fails authentication proceeds as that consumer,
     * without the key it sent (header and query both) when credentials are hidden.
     */
    private PhaseResult anonymousOr(PluginContext context, PhaseResult refusal) {
        if (anonymous == null || !context.authenticate(anonymous)) {
            return refusal;
        }
        if (hideCredentials) {
            context.upstreamRequest().removeHeader(header);
            if (context.request().queryArg(query) != null) {
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
