package io.tidegate.plugins.basicauth;

import io.tidegate.plugin.api.AuthPlugin;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code basic-auth} (priority 2520, rewrite phase). Route: {@code hide_credentials}
 * (false), {@code realm} ("basic"), {@code anonymous_consumer}. Consumer: {@code username}, unique
 * across consumers, and {@code password}.
 */
@Extension
public final class BasicAuthPlugin implements AuthPlugin<BasicAuthPlugin.Settings, BasicAuthPlugin.Credential> {
    /** A route's (service's, global rule's) configuration, as {@code schema/basic-auth.json} describes it. */
    public record Settings(boolean hideCredentials, String realm, String anonymousConsumer) {}

    /** A consumer's credential, as {@code schema/basic-auth-consumer.json} describes it. */
    public record Credential(String username, String password) {
        /** Never prints the password: a credential may end up in a log line. */
        @Override
        public String toString() {
            return "Credential[username=" + username + ", password=***]";
        }
    }

    @Override
    public String name() {
        return "basic-auth";
    }

    @Override
    public int priority() {
        return 2520;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/basic-auth.json");
    }

    @Override
    public ConfigSchema<Credential> consumerSchema() {
        return ConfigSchema.resource(Credential.class, "/schema/basic-auth-consumer.json");
    }

    @Override
    public String credentialKey() {
        return "username";
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        services.requireConsumer("anonymous_consumer", config.anonymousConsumer());
        Map<String, BasicAuthInstance.Account> accounts = new HashMap<>();
        for (PluginServices.Credential<Credential> credential : services.credentials(this)) {
            accounts.put(credential.credential().username(), new BasicAuthInstance.Account(credential.username(),
                    credential.credential().password().getBytes(StandardCharsets.UTF_8)));
        }
        return new BasicAuthInstance(config, Map.copyOf(accounts));
    }
}
