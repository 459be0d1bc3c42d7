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
 * APISIX's {@code uri-blocker} (priority 2900, rewrite phase): refuses a request whose
 * {@code $request_uri} (the path and query as the client sent them) contains a match of one of
 * {@code block_rules} ({@code case_insensitive} to ignore case) with {@code rejected_code} (403),
 * and {@code {"error_msg": rejected_msg}} when that is set, else no body.
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
                : Refusal.json(config.rejectedCode(), "error_msg", config.rejectedMsg());
        return new PluginInstance() {
            @Override
            public PhaseResult rewrite(PluginContext context) {
                return Patterns.anyFound(rules, context.var("request_uri")) ? refusal : PhaseResult.proceed();
            }
        };
    }
}
