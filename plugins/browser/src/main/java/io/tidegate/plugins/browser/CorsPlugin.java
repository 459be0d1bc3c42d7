package io.tidegate.plugins.browser;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.List;
import java.util.stream.Stream;
import org.pf4j.Extension;

/**
 * APISIX's {@code cors} (priority 4000): answers every {@code OPTIONS} request itself (200, no
 * body) and adds the CORS headers to every response of the route, the gateway's own included.
 * With {@code allow_credential}, no option may be {@code *} (browsers ignore a wildcard with
 * credentials; APISIX refuses the configuration, and so does Tidegate).
 */
@Extension
public final class CorsPlugin implements GatewayPlugin<CorsPlugin.Settings> {
    public record Settings(String allowOrigins, String allowMethods, String allowHeaders, String exposeHeaders,
                           int maxAge, boolean allowCredential, List<String> allowOriginsByRegex,
                           String timingAllowOrigins, List<String> timingAllowOriginsByRegex) {}

    @Override
    public String name() {
        return "cors";
    }

    @Override
    public int priority() {
        return 4000;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/cors.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        if (config.allowCredential() && Stream.of(config.allowOrigins(), config.allowMethods(), config.allowHeaders(),
                config.exposeHeaders(), config.timingAllowOrigins()).anyMatch("*"::equals)) {
            throw new PluginConfigException("allow_credential", "you can not set '*' for other option when 'allow_credential' is true");
        }
        AllowedOrigins allowed = AllowedOrigins.of(config.allowOrigins(), config.allowOriginsByRegex(), "allow_origins_by_regex");
        AllowedOrigins timing = AllowedOrigins.of(config.timingAllowOrigins(), config.timingAllowOriginsByRegex(),
                "timing_allow_origins_by_regex");
        return new CorsInstance(config, allowed, timing);
    }
}
