package io.tidegate.plugins.prometheus;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import org.pf4j.Extension;

/**
 * APISIX's {@code prometheus} (priority 500). Tidegate's exporter ({@code tidegate.metrics.address})
 * already measures every route, so the plugin has nothing to do per request; it exists so that
 * APISIX configurations naming it load unchanged, since a route whose plugin is missing answers 503.
 * APISIX's schema; {@code prefer_name: true} (routes labelled by name) is refused rather than
 * silently ignored.
 */
@Extension
public final class PrometheusPlugin implements GatewayPlugin<PrometheusPlugin.Settings> {
    private static final PluginInstance NOTHING_PER_REQUEST = new PluginInstance() {};

    /** The configuration, as the schema describes it (defaults filled in). */
    public record Settings(boolean preferName) {}

    @Override
    public String name() {
        return "prometheus";
    }

    @Override
    public int priority() {
        return 500;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/prometheus.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        if (config.preferName()) {
            throw new PluginConfigException("prefer_name", "true is not supported: metrics are labelled by route id");
        }
        return NOTHING_PER_REQUEST;
    }
}
