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
 * APISIX's {@code limit-conn} (priority 1003, access phase, released in log): at most {@code conn}
 * requests in progress per key; up to {@code burst} more are delayed ({@code default_conn_delay}
 * seconds for each one above {@code conn}, or exactly that with {@code only_use_default_delay}),
 * the rest rejected. The count goes down when the request's log phase runs.
 */
@Extension
public final class LimitConnPlugin implements GatewayPlugin {
    private static final Set<String> FIELDS = Set.of("conn", "burst", "default_conn_delay", "only_use_default_delay",
            "key_type", "key", "rejected_code", "rejected_msg", "allow_degradation", "policy");
    private static final Set<String> KEY_TYPES = Set.of("var", "var_combination");
    private static final String ENTERED = LimitConnPlugin.class.getName() + ".key";

    private final SharedStates<ConnectionCounts> states = new SharedStates<>();

    @Override
    public String name() {
        return "limit-conn";
    }

    @Override
    public int priority() {
        return 1003;
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        ConfigFields.requireOnly(config, FIELDS);
        LimitSettings.localPolicyOnly(config);
        int conn = LimitSettings.positiveInt(config, "conn");
        double burst = LimitSettings.number(config, "burst", null, true);
        double unitDelay = LimitSettings.number(config, "default_conn_delay", null, false);
        boolean onlyDefaultDelay = config.path("only_use_default_delay").asBoolean(false);
        KeySource key = LimitSettings.key(config, KEY_TYPES);
        LimitSettings.Rejection rejection = LimitSettings.Rejection.of(config);
        String limit = conn + "/" + burst + "/" + LimitSettings.keyDescription(config);
        String stateKey = services.owner() + "#" + limit;
        ConnectionCounts counts = states.acquire(stateKey, limit, false, ConnectionCounts::new);
        return new PluginInstance() {
            @Override
            public PhaseResult access(PluginContext context) {
                String k = key.of(context);
                int now = counts.enter(k);
                if (now > conn + burst) {
                    counts.leave(k);
                    return rejection.respond(Map.of());
                }
                context.attributes().put(ENTERED, k);
                if (now <= conn) {
                    return PhaseResult.proceed();
                }
                double seconds = onlyDefaultDelay ? unitDelay : unitDelay * (now - conn);
                return PhaseResult.after(Duration.ofMillis(Math.round(seconds * 1000)));
            }

            @Override
            public void log(PluginContext context) {
                if (context.attributes().remove(ENTERED) instanceof String k) {
                    counts.leave(k);
                }
            }

            @Override
            public void close() {
                states.release(stateKey);
            }
        };
    }
}
