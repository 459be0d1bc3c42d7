package io.tidegate.testplugins;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;

/** Version 1 of the "versioned" plugin: stamps the response with X-Plugin-Version: 1. */
public final class VersionedPluginV1 implements GatewayPlugin, PluginInstance {
    @Override public String name() { return "versioned"; }
    @Override public int priority() { return 500; }
    @Override public PluginInstance create(JsonNode config, PluginServices services) { return this; }

    @Override
    public void headerFilter(PluginContext context) {
        context.response().setHeader("X-Plugin-Version", "1");
    }
}
