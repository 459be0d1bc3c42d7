package io.tidegate.testplugins;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;

/**
 * "lifecycle" (priority 500): records in the {@link Sink} when an instance is created
 * ({@code lifecycle/TAG:create}), when a request passes its access phase ({@code :access}), its log
 * phase ({@code :log}) and when the instance is closed ({@code :close}): what a test needs to see
 * that a configuration version's plugins stay open exactly while requests use them.
 */
public final class LifecyclePlugin implements GatewayPlugin {
    @Override public String name() { return "lifecycle"; }
    @Override public int priority() { return 500; }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        JsonNode tag = config.get("tag");
        if (tag == null || !tag.isTextual()) {
            throw new PluginConfigException("tag", "must be a string");
        }
        String label = name() + "/" + tag.textValue();
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
