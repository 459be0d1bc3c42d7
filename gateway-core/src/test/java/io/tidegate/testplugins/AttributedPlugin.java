package io.tidegate.testplugins;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.NoConfig;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;

/**
 * "attributed" (priority 500): has process-wide settings ({@code plugin_attr}): a collector
 * address (required) and a timeout (default 3), which every instance answers in
 * {@code X-Collector: address/timeout}.
 */
public final class AttributedPlugin implements GatewayPlugin<NoConfig> {
    /** The settings under {@code tidegate.plugin_attr.attributed}. */
    public record Collector(String address, int timeout) {}

    @Override public String name() { return "attributed"; }
    @Override public int priority() { return 500; }

    @Override
    public ConfigSchema<NoConfig> configSchema() {
        return ConfigSchema.none();
    }

    @Override
    public ConfigSchema<Collector> attributeSchema() {
        return ConfigSchema.of(Collector.class, """
                {"type": "object", "properties": {"address": {"type": "string", "pattern": "^[^:]+:[0-9]+$"},
                 "timeout": {"type": "integer", "minimum": 1, "default": 3}}, "required": ["address"]}""");
    }

    @Override
    public PluginInstance create(NoConfig config, PluginServices services) {
        Collector collector = services.attributes(Collector.class);
        return new PluginInstance() {
            @Override
            public void headerFilter(PluginContext context) {
                context.response().setHeader("X-Collector", collector.address() + "/" + collector.timeout());
            }
        };
    }
}
