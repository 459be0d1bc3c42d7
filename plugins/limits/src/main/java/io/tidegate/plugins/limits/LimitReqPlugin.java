package io.tidegate.plugins.limits;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigFields;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * APISIX's {@code limit-req} (priority 1001, access phase), local policy: a leaky bucket of
 * {@code rate} requests per second per key; up to {@code burst} requests above the rate are
 * delayed to the rate (or served at once with {@code nodelay}), the rest rejected. A delay parks
 * the request without holding a thread.
 */
@Extension
public final class LimitReqPlugin implements GatewayPlugin {
    private static final Set<String> FIELDS = Set.of("rate", "burst", "key_type", "key", "rejected_code", "rejected_msg",
            "nodelay", "allow_degradation", "policy");
    private static final Set<String> KEY_TYPES = Set.of("var", "var_combination");

    private final SharedStates<LeakyBuckets> states = new SharedStates<>();

    @Override
    public String name() {
        return "limit-req";
    }

    @Override
    public int priority() {
        return 1001;
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        ConfigFields.requireOnly(config, FIELDS);
        LimitSettings.localPolicyOnly(config);
        double rate = LimitSettings.number(config, "rate", null, false);
        double burst = LimitSettings.number(config, "burst", 0.0, true);
        KeySource key = LimitSettings.key(config, KEY_TYPES);
        LimitSettings.Rejection rejection = LimitSettings.Rejection.of(config);
        boolean nodelay = config.path("nodelay").asBoolean(false);
        String limit = rate + "/" + burst + "/" + LimitSettings.keyDescription(config);
        String stateKey = services.owner() + "#" + limit;
        LeakyBuckets buckets = states.acquire(stateKey, limit, false, () -> new LeakyBuckets(rate, burst));
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

            @Override
            public void close() {
                states.release(stateKey);
            }
        };
    }
}
