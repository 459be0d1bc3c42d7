package io.tidegate.plugins.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.UpstreamRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.pf4j.Extension;

/**
 * APISIX's {@code traffic-split} (priority 966, access): the first rule whose {@code match} holds
 * (any of its entries, each entry's {@code vars} all holding; a rule without match always holds)
 * sends the request to one of its {@code weighted_upstreams}, picked by weighted round robin: an
 * inline {@code upstream}, a configured one by {@code upstream_id}, or, for an entry with neither,
 * the route's own. The chosen upstream is served with its own balancer, retries, timeouts and
 * health checks. As in APISIX, an {@code upstream_id} of a rule it looks at that names no upstream
 * answers 500.
 */
@Extension
public final class TrafficSplitPlugin implements GatewayPlugin<TrafficSplitPlugin.Settings> {
    public record Match(JsonNode vars) {}

    public record WeightedUpstream(JsonNode upstreamId, JsonNode upstream, Integer weight) {}

    public record Rule(List<Match> match, List<WeightedUpstream> weightedUpstreams) {}

    public record Settings(List<Rule> rules) {}

    @Override
    public String name() {
        return "traffic-split";
    }

    @Override
    public int priority() {
        return 966;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/traffic-split.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        List<CompiledRule> rules = new ArrayList<>();
        List<Rule> configured = config.rules() == null ? List.of() : config.rules();
        for (int r = 0; r < configured.size(); r++) {
            rules.add(compile(configured.get(r), "rules[" + r + "]", services));
        }
        return new TrafficSplitInstance(List.copyOf(rules));
    }

    private static CompiledRule compile(Rule rule, String field, PluginServices services) throws PluginConfigException {
        List<Predicate<PluginContext>> matches = null;
        if (rule.match() != null) {
            matches = new ArrayList<>();
            for (int m = 0; m < rule.match().size(); m++) {
                JsonNode vars = rule.match().get(m).vars();
                String at = field + ".match[" + m + "].vars";
                matches.add(vars == null || vars.isNull() ? context -> true : services.conditions(at, vars));
            }
        }
        List<WeightedUpstream> weighted = rule.weightedUpstreams() == null
                ? List.of(new WeightedUpstream(null, null, 1)) : rule.weightedUpstreams();
        List<UpstreamRef> targets = new ArrayList<>();
        List<ById> ids = new ArrayList<>();
        int[] weights = new int[weighted.size()];
        for (int w = 0; w < weighted.size(); w++) {
            WeightedUpstream entry = weighted.get(w);
            String at = field + ".weighted_upstreams[" + w + "]";
            UpstreamRef target = null;
            if (entry.upstreamId() != null && !entry.upstreamId().isNull()) {
                target = services.upstreamId(entry.upstreamId().asText());
                ids.add(new ById(entry.upstreamId().asText(), target));
            } else if (entry.upstream() != null && !entry.upstream().isNull()) {
                target = services.upstream(at + ".upstream", entry.upstream());
            }
            targets.add(target);  // null: the route's own upstream
            weights[w] = entry.weight() == null ? 1 : entry.weight();
        }
        boolean anyWeight = false;
        for (int weight : weights) {
            anyWeight |= weight > 0;
        }
        // every weight 0: nothing can be picked, so the rule sends nowhere else (the route's upstream serves)
        WeightedChoice<java.util.Optional<UpstreamRef>> choice = anyWeight
                ? new WeightedChoice<>(targets.stream().map(java.util.Optional::ofNullable).toList(), weights) : null;
        return new CompiledRule(matches, List.copyOf(ids), choice);
    }

    record ById(String id, UpstreamRef ref) {}

    /** A rule: when it holds (null matches: always), and what it picks from. */
    record CompiledRule(List<Predicate<PluginContext>> matches, List<ById> upstreamIds,
                        WeightedChoice<java.util.Optional<UpstreamRef>> choice) {
        boolean holds(PluginContext context) {
            if (matches == null) {
                return true;
            }
            for (Predicate<PluginContext> match : matches) {
                if (match.test(context)) {
                    return true;
                }
            }
            return false;
        }
    }

    static final class TrafficSplitInstance implements PluginInstance {
        private final List<CompiledRule> rules;

        TrafficSplitInstance(List<CompiledRule> rules) {
            this.rules = rules;
        }

        @Override
        public PhaseResult access(PluginContext context) {
            for (CompiledRule rule : rules) {
                for (ById id : rule.upstreamIds()) {
                    // every id of a rule looked at must exist, as in APISIX: checked by choosing it, the pick below decides
                    if (!context.useUpstream(id.ref())) {
                        context.useUpstream(null);
                        return PhaseResult.respond(500, Map.of(),
                                ("failed to fetch upstream info by upstream id: " + id.id()).getBytes(StandardCharsets.UTF_8));
                    }
                }
                context.useUpstream(null);
                if (rule.holds(context)) {
                    if (rule.choice() != null) {
                        context.useUpstream(rule.choice().next().orElse(null));
                    }
                    return PhaseResult.proceed();
                }
            }
            return PhaseResult.proceed();
        }
    }
}
