package io.tidegate.plugins.traffic;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.Template;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * APISIX's {@code api-breaker} (priority 1005): after {@code unhealthy.failures} upstream answers
 * with an {@code unhealthy.http_statuses} status on one Host and path, the breaker opens and
 * requests get {@code break_response_code} (with {@code break_response_body} and its headers) for
 * 2^n seconds, n the number of such runs, at most {@code max_breaker_sec}; {@code healthy.successes}
 * healthy answers close it. Counted in the log phase, on the upstream's own status.
 */
@Extension
public final class ApiBreakerPlugin implements GatewayPlugin<ApiBreakerPlugin.Settings> {
    public record Header(String key, String value) {}

    public record Unhealthy(List<Integer> httpStatuses, int failures) {}

    public record Healthy(List<Integer> httpStatuses, int successes) {}

    public record Settings(int breakResponseCode, String breakResponseBody, List<Header> breakResponseHeaders, int maxBreakerSec,
                           Unhealthy unhealthy, Healthy healthy) {}

    @Override
    public String name() {
        return "api-breaker";
    }

    @Override
    public int priority() {
        return 1005;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/api-breaker.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws io.tidegate.plugin.api.PluginConfigException {
        BreakerStates states = services.shared("states", BreakerStates::new);
        Map<String, Template> headers = new LinkedHashMap<>();
        if (config.breakResponseHeaders() != null) {
            for (int i = 0; i < config.breakResponseHeaders().size(); i++) {
                Header header = config.breakResponseHeaders().get(i);
                headers.put(header.key(), services.template("break_response_headers[" + i + "].value", header.value()));
            }
        }
        return new ApiBreakerInstance(config, Set.copyOf(config.unhealthy().httpStatuses()), Set.copyOf(config.healthy().httpStatuses()),
                headers, states, Clock.systemUTC());
    }

    /** One configuration: the breaker's answer in access, the counting in log. */
    static final class ApiBreakerInstance implements PluginInstance {
        private final Settings config;
        private final Set<Integer> unhealthyStatuses;
        private final Set<Integer> healthyStatuses;
        private final Map<String, Template> headers;
        private final BreakerStates states;
        private final Clock clock;

        ApiBreakerInstance(Settings config, Set<Integer> unhealthyStatuses, Set<Integer> healthyStatuses, Map<String, Template> headers,
                           BreakerStates states, Clock clock) {
            this.config = config;
            this.unhealthyStatuses = unhealthyStatuses;
            this.healthyStatuses = healthyStatuses;
            this.headers = headers;
            this.states = states;
            this.clock = clock;
        }

        private static String key(PluginContext context) {
            return context.var("host") + context.var("uri");
        }

        @Override
        public PhaseResult access(PluginContext context) {
            BreakerStates.State state = states.existing(key(context));
            if (state == null) {
                return PhaseResult.proceed();
            }
            long now = clock.instant().getEpochSecond();
            long breakerSeconds;
            long openedAt;
            synchronized (state) {
                if (state.unhealthy == 0 || state.openedAt == 0 || now > state.openedAt + state.openedFor) {
                    return PhaseResult.proceed();
                }
                int runs = Math.max(1, state.unhealthy / config.unhealthy().failures());
                breakerSeconds = runs >= 31 ? config.maxBreakerSec() : Math.min(1L << runs, config.maxBreakerSec());
                openedAt = state.openedAt;
            }
            if (openedAt + breakerSeconds < now) {
                return PhaseResult.proceed();
            }
            if (config.breakResponseBody() == null) {
                return PhaseResult.respond(config.breakResponseCode(), Map.of(), new byte[0]);
            }
            Map<String, List<String>> values = new LinkedHashMap<>();
            headers.forEach((name, value) -> values.computeIfAbsent(name, n -> new java.util.ArrayList<>()).add(value.render(context)));
            return PhaseResult.respondWithHeaders(config.breakResponseCode(), values,
                    config.breakResponseBody().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void log(PluginContext context) {
            String upstream = context.var("upstream_status");
            if (upstream == null) {
                return;  // the upstream was never asked (the gateway or a plugin answered)
            }
            int status = Integer.parseInt(upstream);
            String key = key(context);
            if (unhealthyStatuses.contains(status)) {
                BreakerStates.State state = states.created(key, clock.instant().getEpochSecond());
                if (state == null) {
                    return;
                }
                synchronized (state) {
                    state.unhealthy++;
                    state.healthy = 0;
                    if (state.unhealthy % config.unhealthy().failures() == 0) {
                        state.openedAt = clock.instant().getEpochSecond();
                        state.openedFor = config.maxBreakerSec();
                    }
                }
                return;
            }
            if (!healthyStatuses.contains(status)) {
                return;
            }
            BreakerStates.State state = states.existing(key);
            if (state == null) {
                return;
            }
            synchronized (state) {
                if (state.unhealthy == 0) {
                    return;
                }
                state.healthy++;
                if (state.healthy >= config.healthy().successes()) {
                    states.forget(key);
                }
            }
        }
    }
}
