package io.tidegate.plugins.restrictions;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.pf4j.Extension;

/**
 * APISIX's {@code consumer-restriction} (priority 2400, access phase, so after authentication):
 * checks the request's consumer name, service id or route id ({@code type}) against a
 * {@code blacklist} (refused), a {@code whitelist} (only those pass) and {@code allowed_by_methods}
 * (a listed consumer may use only its methods; a whitelisted value skips that check). A request
 * without the value (no consumer, a route without a service) gets 401; a refused one
 * {@code rejected_code} (403) with {@code {"message": rejected_msg}} or
 * {@code "The <type> is forbidden."}. APISIX's {@code consumer_group_id} is not offered: Tidegate
 * has no consumer groups.
 */
@Extension
public final class ConsumerRestrictionPlugin implements GatewayPlugin<ConsumerRestrictionPlugin.Settings> {
    public record MethodRule(String user, List<String> methods) {}

    public record Settings(String type, List<String> blacklist, List<String> whitelist, List<MethodRule> allowedByMethods,
                           int rejectedCode, String rejectedMsg) {}

    @Override
    public String name() {
        return "consumer-restriction";
    }

    @Override
    public int priority() {
        return 2400;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/consumer-restriction.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) {
        Function<PluginContext, String> value = switch (config.type()) {
            case "service_id" -> PluginContext::serviceId;
            case "route_id" -> PluginContext::routeId;
            default -> context -> context.consumer().orElse(null);
        };
        Set<String> blacklist = config.blacklist() == null ? Set.of() : Set.copyOf(config.blacklist());
        Set<String> whitelist = config.whitelist() == null ? null : Set.copyOf(config.whitelist());
        Map<String, Set<String>> methodsByUser = new HashMap<>();
        if (config.allowedByMethods() != null) {
            for (MethodRule rule : config.allowedByMethods()) {
                // the first rule naming a user decides, as in APISIX
                methodsByUser.putIfAbsent(rule.user(), rule.methods() == null ? Set.of() : Set.copyOf(rule.methods()));
            }
        }
        PhaseResult unknown = PhaseResult.respondMessage(401, "message",
                "The request is rejected, please check the " + config.type() + " for this request");
        PhaseResult refused = PhaseResult.respondMessage(config.rejectedCode(), "message",
                config.rejectedMsg() != null ? config.rejectedMsg() : "The " + config.type() + " is forbidden.");
        return new PluginInstance() {
            @Override
            public PhaseResult access(PluginContext context) {
                String name = value.apply(context);
                if (name == null) {
                    return unknown;
                }
                if (blacklist.contains(name)) {
                    return refused;
                }
                if (whitelist != null) {
                    return whitelist.contains(name) ? PhaseResult.proceed() : refused;
                }
                Set<String> methods = methodsByUser.get(name);
                return methods == null || methods.contains(context.request().method()) ? PhaseResult.proceed() : refused;
            }
        };
    }
}
