package io.tidegate.testplugins;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;

/** "thrower": throws in the phase named by {@code phase}; a broken plugin. */
public final class ThrowingPlugin implements GatewayPlugin {
    @Override public String name() { return "thrower"; }
    @Override public int priority() { return 100; }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) {
        String phase = config.path("phase").asText("access");
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
