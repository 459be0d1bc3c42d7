package io.tidegate.plugins.browser;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.time.Clock;
import org.pf4j.Extension;

/**
 * APISIX's {@code csrf} (priority 2980): the double-submit cookie. Every response sets a signed
 * token cookie ({@code name}, default {@code apisix-csrf-token}); a request with a method other
 * than GET, HEAD and OPTIONS must send the cookie back and the same token in the header of that
 * name, signed with {@code key} and younger than {@code expires} seconds, or is refused with 401.
 */
@Extension
public final class CsrfPlugin implements GatewayPlugin<CsrfPlugin.Settings> {
    public record Settings(String key, int expires, String name) {
        /** Never prints the key. */
        @Override
        public String toString() {
            return "Settings[key=***, expires=" + expires + ", name=" + name + "]";
        }
    }

    @Override
    public String name() {
        return "csrf";
    }

    @Override
    public int priority() {
        return 2980;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/csrf.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) {
        return new CsrfInstance(config.name(), new CsrfTokens(config.key(), config.expires(), Clock.systemUTC()));
    }
}
