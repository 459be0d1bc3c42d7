package io.tidegate.plugins.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigFields;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.Set;
import org.pf4j.Extension;

/**
 * APISIX's {@code prometheus} (priority 500). Tidegate's exporter ({@code tidegate.metrics.address})
 * already measures every route, so the plugin has nothing to do per request; it exists so that
 * APISIX configurations naming it load unchanged, since a route whose plugin is missing answers 503.
 * {@code prefer_name: true} (routes labelled by name) is refused rather than silently ignored.
 */
@Extension
public final class PrometheusPlugin implements GatewayPlugin {
    private static final Set<String> FIELDS = Set.of("prefer_name");
    private static final PluginInstance NOTHING_PER_REQUEST = new PluginInstance() {};

    @Override
    public String name() {
        return "prometheus";
    }

    @Override
    public int priority() {
        return 500;
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        ConfigFields.requireOnly(config, FIELDS);
        JsonNode preferName = config.get("prefer_name");
        if (preferName != null && !preferName.isBoolean()) {
            throw new PluginConfigException("prefer_name", "must be a boolean");
        }
        if (preferName != null && preferName.booleanValue()) {
            throw new PluginConfigException("prefer_name", "true is not supported: metrics are labelled by route id");
        }
        return NOTHING_PER_REQUEST;
    }
}
