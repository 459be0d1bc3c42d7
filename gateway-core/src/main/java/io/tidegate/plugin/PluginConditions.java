package io.tidegate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.config.VarRule;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.route.MatchRequest;
import io.tidegate.route.VarCondition;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Plugins' condition lists ({@code include_resp_body_expr}, ...), compiled as a route's {@code vars} are. */
final class PluginConditions {
    private PluginConditions() {}

    static Predicate<PluginContext> compile(String field, JsonNode conditions) throws PluginConfigException {
        if (conditions == null || !conditions.isArray() || conditions.isEmpty()) {
            throw new PluginConfigException(field, "must be a non-empty list of [var, operator, value]");
        }
        List<PluginConfigException> refused = new ArrayList<>();
        List<VarRule.Located> rules = VarRule.parseList(conditions,
                (where, message) -> refused.add(new PluginConfigException(field + where, message)));
        if (!refused.isEmpty()) {
            throw refused.get(0);
        }
        List<VarCondition> all = new ArrayList<>();
        for (VarRule.Located located : rules) {
            try {
                all.add(VarCondition.compile(located.rule()));
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException(field + located.where(), e.getMessage());
            }
        }
        return context -> {
            MatchRequest variables = new ContextVariables(context);
            for (VarCondition condition : all) {
                if (!condition.matches(variables)) {
                    return false;
                }
            }
            return true;
        };
    }

    /** A plugin's view of the request, as the conditions read it. */
    private record ContextVariables(PluginContext context) implements MatchRequest {
        @Override
        public String host() {
            String host = context.var("host");
            return host == null ? "" : host;
        }

        @Override
        public String path() {
            return context.request().path();
        }

        @Override
        public String method() {
            return context.request().method();
        }

        @Override
        public InetAddress clientAddress() {
            return context.request().clientAddress();
        }

        @Override
        public String variable(String name) {
            return context.var(name);
        }
    }
}
