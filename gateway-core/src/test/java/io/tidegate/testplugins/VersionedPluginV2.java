package io.tidegate.testplugins;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.NoConfig;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;

/** Version 2 of the "versioned" plugin: stamps the response with X-Plugin-Version: 2. */
public final class VersionedPluginV2 implements GatewayPlugin<NoConfig>, PluginInstance {
    @Override public String name() { return "versioned"; }
    @Override public int priority() { return 500; }
    @Override public ConfigSchema<NoConfig> configSchema() { return ConfigSchema.none(); }
    @Override public PluginInstance create(NoConfig config, PluginServices services) { return this; }

    @Override
    public void headerFilter(PluginContext context) {
        context.response().setHeader("X-Plugin-Version", "2");
    }
}
