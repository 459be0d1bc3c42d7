package io.tidegate.testplugins;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;

/** "thrower": throws in the phase named by {@code phase}; a broken plugin. */
public final class ThrowingPlugin implements GatewayPlugin<ThrowingPlugin.Settings> {
    /** The phase to throw in. */
    public record Settings(String phase) {}

    @Override public String name() { return "thrower"; }
    @Override public int priority() { return 100; }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.of(Settings.class, """
                {"type": "object", "properties": {"phase": {"type": "string", "default": "access"}}}""");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) {
        String phase = config.phase();
        return new PluginInstance() {
            private PhaseResult maybeThrow(String current) {
                if (current.equals(phase)) {
                    throw new IllegalStateException("thrower fails in " + current + " as configured");
                }
                return PhaseResult.proceed();
            }

            @Override public PhaseResult rewrite(PluginContext context) { return maybeThrow("rewrite"); }
            @Override public PhaseResult access(PluginContext context) { return maybeThrow("access"); }

            @Override
            public void headerFilter(PluginContext context) {
                maybeThrow("header_filter");
            }
        };
    }
}
