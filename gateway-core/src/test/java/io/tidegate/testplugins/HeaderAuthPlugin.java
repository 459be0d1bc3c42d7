package io.tidegate.testplugins;

import io.tidegate.plugin.api.AuthPlugin;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.NoConfig;
import io.tidegate.plugin.api.PhaseResult;
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
public final class HeaderAuthPlugin implements AuthPlugin<NoConfig, HeaderAuthPlugin.Token> {
    /** A consumer's credential. */
    public record Token(String token) {}

    @Override public String name() { return "header-auth"; }
    @Override public int priority() { return 2500; }
    @Override public String credentialKey() { return "token"; }

    @Override
    public ConfigSchema<NoConfig> configSchema() {
        return ConfigSchema.none();
    }

    @Override
    public ConfigSchema<Token> consumerSchema() {
        return ConfigSchema.of(Token.class, """
                {"type": "object", "properties": {"token": {"type": "string"}}, "required": ["token"]}""");
    }

    @Override
    public PluginInstance create(NoConfig config, PluginServices services) {
        Map<String, String> byToken = new HashMap<>();
        for (PluginServices.Credential<Token> c : services.credentials(this)) {
            byToken.put(c.credential().token(), c.username());
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
