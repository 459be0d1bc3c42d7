package io.tidegate.plugins.limits;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.time.Duration;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code limit-conn} (priority 1003, access phase, released in log): at most {@code conn}
 * requests in progress per key; up to {@code burst} more are delayed ({@code default_conn_delay}
 * seconds for each one above {@code conn}, or exactly that with {@code only_use_default_delay}),
 * the rest rejected. The count goes down when the request's log phase runs. The counts are shared
 * state of the gateway, keyed by owner and limit, so requests in progress across a reload still count.
 */
@Extension
public final class LimitConnPlugin implements GatewayPlugin<LimitConnPlugin.Settings> {
    /** The key a request was counted under, until its log phase releases it. */

    /** The configuration, as the schema describes it. */
    public record Settings(int conn, int burst, double defaultConnDelay, boolean onlyUseDefaultDelay, String key,
                           String keyType, String policy, int rejectedCode, String rejectedMsg, boolean allowDegradation) {}

    /** Shared-state key: one owner's limit. */
    private record OwnLimit(String owner, int conn, int burst, String keyType, String key) {}

    @Override
    public String name() {
        return "limit-conn";
    }

    @Override
    public int priority() {
        return 1003;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/limit-conn.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        int conn = config.conn();
        int burst = config.burst();
        double unitDelay = config.defaultConnDelay();
        boolean onlyDefaultDelay = config.onlyUseDefaultDelay();
        KeySource key = KeySource.of(config.keyType(), config.key(), services);
        LimitSettings.Rejection rejection = LimitSettings.Rejection.of(config.rejectedCode(), config.rejectedMsg());
        ConnectionCounts counts = services.shared(new OwnLimit(services.owner(), conn, burst, config.keyType(), config.key()),
                ConnectionCounts::new);
        // this instance's own: a global rule's limit-conn and the route's must not take each other's entry
        AttributeKey<String> entered = AttributeKey.of("limit-conn.key", String.class);
        return new PluginInstance() {
            @Override
            public PhaseResult access(PluginContext context) {
                String k = key.of(context);
                int now = counts.enter(k);
                if (now > conn + burst) {
                    counts.leave(k);
                    return rejection.respond(Map.of());
                }
                context.setAttribute(entered, k);
                if (now <= conn) {
                    return PhaseResult.proceed();
                }
                double seconds = onlyDefaultDelay ? unitDelay : unitDelay * (now - conn);
                return PhaseResult.after(Duration.ofMillis(Math.round(seconds * 1000)));
            }

            @Override
            public void log(PluginContext context) {
                String k = context.setAttribute(entered, null);
                if (k != null) {
                    counts.leave(k);
                }
            }
        };
    }
}
