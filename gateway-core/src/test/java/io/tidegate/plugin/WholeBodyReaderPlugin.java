package io.tidegate.plugin;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.NoConfig;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import org.pf4j.Extension;

/** A test plugin that reads every request body whole in rewrite (as hmac-auth does), then lets it go on. */
@Extension
public final class WholeBodyReaderPlugin implements GatewayPlugin<NoConfig> {
    @Override
    public String name() {
        return "whole-body-reader";
    }

    @Override
    public int priority() {
        return 2000;
    }

    @Override
    public ConfigSchema<NoConfig> configSchema() {
        return ConfigSchema.none();
    }

    @Override
    public PluginInstance create(NoConfig config, PluginServices services) {
        return new PluginInstance() {
            @Override
            public PhaseResult rewrite(PluginContext context) {
                return PhaseResult.later(context.readBody(1 << 20).thenApply(body -> body == null
                        ? PhaseResult.respond(413, java.util.Map.of(), new byte[0]) : PhaseResult.proceed()));
            }
        };
    }
}
