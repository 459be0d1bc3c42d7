package io.tidegate.testplugins;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.HashMap;
import java.util.Map;

/**
 * "header-auth" (priority 2500, an authentication plugin): the X-Token header must equal a
 * consumer's {@code token}; that consumer is then authenticated. Otherwise 401. Two consumers may
 * not share a token.
 */
public final class HeaderAuthPlugin implements GatewayPlugin {
    @Override public String name() { return "header-auth"; }
    @Override public int priority() { return 2500; }
    @Override public boolean authenticates() { return true; }
    @Override public String credentialKey() { return "token"; }

    @Override
    public void validateConsumer(JsonNode credential) throws PluginConfigException {
        if (!credential.path("token").isTextual()) {
            throw new PluginConfigException("token", "is required");
        }
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) {
        Map<String, String> byToken = new HashMap<>();
        for (PluginServices.ConsumerCredential c : services.consumers(name())) {
            byToken.put(c.credential().get("token").textValue(), c.username());
        }
        return new PluginInstance() {
            @Override
            public PhaseResult rewrite(PluginContext context) {
                String user = byToken.get(String.valueOf(context.request().header("X-Token")));
                if (user == null || !context.authenticate(user)) {
                    return PhaseResult.respondJson(401, "{\"message\":\"Invalid token\"}");
                }
                return PhaseResult.proceed();
            }
        };
    }
}
