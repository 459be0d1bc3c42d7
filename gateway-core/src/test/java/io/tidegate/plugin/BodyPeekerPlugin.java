package io.tidegate.plugin;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.NoConfig;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import org.pf4j.Extension;

/** A test plugin that asks for the first 8 bytes of the body and reports what its log phase saw to {@link HeldBodyTest}. */
@Extension
public final class BodyPeekerPlugin implements GatewayPlugin<NoConfig> {
    @Override
    public String name() {
        return "body-peeker";
    }

    @Override
    public int priority() {
        return 400;
    }

    @Override
    public ConfigSchema<NoConfig> configSchema() {
        return ConfigSchema.none();
    }

    @Override
    public PluginInstance create(NoConfig config, PluginServices services) {
        return new PluginInstance() {
            @Override
            public int requestBodyHead() {
                return 8;
            }

            @Override
            public void log(PluginContext context) {
                HeldBodyTest.PEEKED.add(context.request().bodyHead().length);
            }
        };
    }
}
