package io.tidegate.plugins.echo;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code echo} plugin (priority 412): {@code body} replaces the upstream's response body,
 * {@code before_body} and {@code after_body} surround it, {@code headers} sets response headers.
 * APISIX's schema, except that {@code headers} alone is enough and header values must be one line.
 */
@Extension
public final class EchoPlugin implements GatewayPlugin<EchoPlugin.Settings> {
    /** The configuration, as the schema describes it. */
    public record Settings(String beforeBody, String body, String afterBody, Map<String, String> headers) {}

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public int priority() {
        return 412;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/echo.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) {
        return new EchoInstance(config.beforeBody(), config.body(), config.afterBody(),
                config.headers() == null ? Map.of() : Map.copyOf(config.headers()));
    }
}
