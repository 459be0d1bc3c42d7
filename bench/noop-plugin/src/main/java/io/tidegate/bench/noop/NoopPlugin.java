package io.tidegate.bench.noop;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.nio.ByteBuffer;
import org.pf4j.Extension;

/**
 * "noop": present in all six phases, changes nothing; the benchmark's measure of phase overhead.
 * {@code body_filter: false} leaves the body phase out (the response then keeps its length).
 */
@Extension
public final class NoopPlugin implements GatewayPlugin<NoopPlugin.Settings> {
    /** Whether the body phase takes part. */
    public record Settings(boolean bodyFilter) {}

    @Override
    public String name() {
        return "noop";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.of(Settings.class, """
                {"type": "object", "properties": {"body_filter": {"type": "boolean", "default": true}}}""");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) {
        boolean filterBody = config.bodyFilter();
        return new PluginInstance() {
            @Override public PhaseResult rewrite(PluginContext context) { return PhaseResult.proceed(); }
            @Override public PhaseResult access(PluginContext context) { return PhaseResult.proceed(); }
            @Override public PhaseResult beforeProxy(PluginContext context) { return PhaseResult.proceed(); }
            @Override public void headerFilter(PluginContext context) { }
            @Override public boolean filtersBody() { return filterBody; }
            @Override public ByteBuffer bodyFilter(PluginContext context, ByteBuffer chunk, boolean last) { return chunk; }
            @Override public void log(PluginContext context) { }
        };
    }
}
