package io.tidegate.plugins.limits;

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
 * APISIX's {@code limit-req} (priority 1001, access phase), local policy: a leaky bucket of
 * {@code rate} requests per second per key; up to {@code burst} requests above the rate are
 * delayed to the rate (or served at once with {@code nodelay}), the rest rejected. A delay parks
 * the request without holding a thread. The buckets are shared state of the gateway, keyed by
 * owner and limit, so a reload that keeps the limit keeps them.
 */
@Extension
public final class LimitReqPlugin implements GatewayPlugin<LimitReqPlugin.Settings> {
    /** The configuration, as the schema describes it. */
    public record Settings(double rate, double burst, String key, String keyType, String policy, int rejectedCode,
                           String rejectedMsg, boolean nodelay, boolean allowDegradation) {}

    /** Shared-state key: one owner's limit. */
    private record OwnLimit(String owner, double rate, double burst, String keyType, String key) {}

    @Override
    public String name() {
        return "limit-req";
    }

    @Override
    public int priority() {
        return 1001;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/limit-req.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        KeySource key = KeySource.of(config.keyType(), config.key(), services);
        LimitSettings.Rejection rejection = LimitSettings.Rejection.of(config.rejectedCode(), config.rejectedMsg());
        boolean nodelay = config.nodelay();
        LeakyBuckets buckets = services.shared(
                new OwnLimit(services.owner(), config.rate(), config.burst(), config.keyType(), config.key()),
                () -> new LeakyBuckets(config.rate(), config.burst()));
        return new PluginInstance() {
            @Override
            public PhaseResult access(PluginContext context) {
                LeakyBuckets.Admission admission = buckets.admit(key.of(context), System.currentTimeMillis());
                if (!admission.admitted()) {
                    return rejection.respond(Map.of());
                }
                return nodelay || admission.delayMillis() < 1 ? PhaseResult.proceed()
                        : PhaseResult.after(Duration.ofMillis(admission.delayMillis()));
            }
        };
    }
}
