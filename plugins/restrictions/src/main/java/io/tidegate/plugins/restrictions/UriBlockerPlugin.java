package io.tidegate.plugins.restrictions;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * APISIX's {@code uri-blocker} (priority 2900, rewrite phase): refuses a request whose path
 * (normalised, as routing sees it) and query contain a match of one of {@code block_rules}
 * ({@code case_insensitive} to ignore case) with {@code rejected_code} (403), and
 * {@code {"error_msg": rejected_msg}} when that is set, else no body. An empty {@code block_rules}
 * blocks everything, as APISIX's empty pattern matches every URI.
 */
@Extension
public final class UriBlockerPlugin implements GatewayPlugin<UriBlockerPlugin.Settings> {
    public record Settings(List<String> blockRules, int rejectedCode, String rejectedMsg, boolean caseInsensitive) {}

    @Override
    public String name() {
        return "uri-blocker";
    }

    @Override
    public int priority() {
        return 2900;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/uri-blocker.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        List<Pattern> rules = Patterns.compile("block_rules", config.blockRules(),
                config.caseInsensitive() ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        PhaseResult refusal = config.rejectedMsg() == null ? PhaseResult.respond(config.rejectedCode(), Map.of(), new byte[0])
                : PhaseResult.respondMessage(config.rejectedCode(), "error_msg", config.rejectedMsg());
        return new PluginInstance() {
            @Override
            public PhaseResult rewrite(PluginContext context) {
                // as APISIX: the normalised path (dot segments resolved, slashes merged, decoded), so
                // /./internal cannot slip past ^/internal, then the query as sent
                String query = context.request().query();
                String uri = query.isEmpty() ? context.request().path() : context.request().path() + "?" + query;
                return rules.isEmpty() || Patterns.anyFound(rules, uri) ? refusal : PhaseResult.proceed();
            }
        };
    }
}
