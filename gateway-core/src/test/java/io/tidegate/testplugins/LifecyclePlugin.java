package io.tidegate.testplugins;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;

/**
 * "lifecycle" (priority 500): records in the {@link Sink} when an instance is created
 * ({@code lifecycle/TAG:create}), when a request passes its access phase ({@code :access}), its log
 * phase ({@code :log}) and when the instance is closed ({@code :close}): what a test needs to see
 * that a configuration version's plugins stay open exactly while requests use them.
 */
public final class LifecyclePlugin implements GatewayPlugin<LifecyclePlugin.Tag> {
    /** The configuration: a label for the events. */
    public record Tag(String tag) {}

    @Override public String name() { return "lifecycle"; }
    @Override public int priority() { return 500; }

    @Override
    public ConfigSchema<Tag> configSchema() {
        return ConfigSchema.of(Tag.class, """
                {"type": "object", "properties": {"tag": {"type": "string"}}, "required": ["tag"]}""");
    }

    @Override
    public PluginInstance create(Tag config, PluginServices services) {
        String label = name() + "/" + config.tag();
        Sink.events().add(label + ":create");
        return new PluginInstance() {
            @Override
            public PhaseResult access(PluginContext context) {
                Sink.events().add(label + ":access");
                return PhaseResult.proceed();
            }

            @Override
            public void log(PluginContext context) {
                Sink.events().add(label + ":log");
            }

            @Override
            public void close() {
                Sink.events().add(label + ":close");
            }
        };
    }
}
