package io.tidegate.plugins.keyauth;

import io.tidegate.plugin.api.AuthPlugin;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.HashMap;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code key-auth} (priority 2500, rewrite phase), with APISIX's schemas except that
 * {@code header}, {@code query} and a consumer's {@code key} must not be empty. Route:
 * {@code header} ("apikey"), {@code query} ("apikey"), {@code realm} ("key"),
 * {@code hide_credentials} (false), {@code anonymous_consumer}. Consumer: {@code key}, unique
 * across consumers (the gateway checks that).
 */
@Extension
public final class KeyAuthPlugin implements AuthPlugin<KeyAuthPlugin.Settings, KeyAuthPlugin.Credential> {
    /** A route's (service's, global rule's) configuration, as {@code schema/key-auth.json} describes it. */
    public record Settings(String header, String query, String realm, boolean hideCredentials, String anonymousConsumer) {}

    /** A consumer's credential, as {@code schema/key-auth-consumer.json} describes it. */
    public record Credential(String key) {
        /** Never prints the key: a credential may end up in a log line. */
        @Override
        public String toString() {
            return "Credential[key=***]";
        }
    }

    @Override
    public String name() {
        return "key-auth";
    }

    @Override
    public int priority() {
        return 2500;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/key-auth.json");
    }

    @Override
    public ConfigSchema<Credential> consumerSchema() {
        return ConfigSchema.resource(Credential.class, "/schema/key-auth-consumer.json");
    }

    @Override
    public String credentialKey() {
        return "key";
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        services.requireConsumer("anonymous_consumer", config.anonymousConsumer());
        Map<String, String> consumersByKey = new HashMap<>();
        for (PluginServices.Credential<Credential> credential : services.credentials(this)) {
            consumersByKey.put(credential.credential().key(), credential.username());
        }
        return new KeyAuthInstance(config, Map.copyOf(consumersByKey));
    }
}
