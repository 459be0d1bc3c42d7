package io.tidegate.plugins.restrictions;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.List;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * APISIX's {@code ua-restriction} (priority 2999, access phase): {@code allowlist} or
 * {@code denylist} of regular expressions looked for in the {@code User-Agent} (trimmed). With
 * several User-Agent headers, one allowed is enough to pass and one denied is enough to refuse.
 * No User-Agent is refused unless {@code bypass_missing}. Refused: 403 {@code {"message": message}}.
 */
@Extension
public final class UaRestrictionPlugin implements GatewayPlugin<UaRestrictionPlugin.Settings> {
    public record Settings(boolean bypassMissing, List<String> allowlist, List<String> denylist, String message) {}

    @Override
    public String name() {
        return "ua-restriction";
    }

    @Override
    public int priority() {
        return 2999;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/ua-restriction.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        boolean allow = config.allowlist() != null;
        List<Pattern> rules = Patterns.compile(allow ? "allowlist" : "denylist", allow ? config.allowlist() : config.denylist(), 0);
        PhaseResult refusal = PhaseResult.respondMessage(403, "message", config.message());
        boolean bypassMissing = config.bypassMissing();
        return new PluginInstance() {
            @Override
            public PhaseResult access(PluginContext context) {
                List<String> agents = context.request().headers("User-Agent");
                if (agents.isEmpty()) {
                    return bypassMissing ? PhaseResult.proceed() : refusal;
                }
                boolean anyListed = false;
                for (String agent : agents) {
                    anyListed |= Patterns.anyFound(rules, agent.strip());
                }
                return anyListed == allow ? PhaseResult.proceed() : refusal;
            }
        };
    }
}
