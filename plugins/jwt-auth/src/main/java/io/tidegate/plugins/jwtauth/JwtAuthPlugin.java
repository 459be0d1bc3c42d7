package io.tidegate.plugins.jwtauth;

import io.tidegate.plugin.api.AuthPlugin;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code jwt-auth} (priority 2510, rewrite phase), with APISIX's schemas (see the
 * resources under {@code schema/}). Consumer: {@code key} (unique), {@code secret} (HS*) or
 * {@code public_key} (RS*, PS*, ES*, EdDSA), {@code algorithm} (HS256), {@code base64_secret},
 * {@code lifetime_grace_period}. Route: {@code header} ("authorization"), {@code query} ("jwt"),
 * {@code cookie} ("jwt"), {@code hide_credentials}, {@code key_claim_name} ("key"),
 * {@code claims_to_verify} (see {@link ClaimsToVerify}), {@code realm} ("jwt"),
 * {@code anonymous_consumer}; {@code store_in_ctx} only false.
 */
@Extension
public final class JwtAuthPlugin implements AuthPlugin<JwtAuthPlugin.Settings, JwtAuthPlugin.Credential> {
    /** A route's (service's, global rule's) configuration, as {@code schema/jwt-auth.json} describes it. */
    public record Settings(String header, String query, String cookie, boolean hideCredentials, String keyClaimName,
                           boolean storeInCtx, String realm, String anonymousConsumer, List<String> claimsToVerify) {}

    /**
     * A consumer's credential, as {@code schema/jwt-auth-consumer.json} describes it. Its
     * {@code private_key} and {@code exp} (APISIX's signing options) are accepted and not bound:
     * the gateway never signs tokens.
     */
    public record Credential(String key, String secret, String publicKey, String algorithm, boolean base64Secret,
                             long lifetimeGracePeriod) {
        /** Never prints the secret: a credential may end up in a log line. */
        @Override
        public String toString() {
            return "Credential[key=" + key + ", algorithm=" + algorithm + (secret == null ? "" : ", secret=***") + "]";
        }
    }

    @Override
    public String name() {
        return "jwt-auth";
    }

    @Override
    public int priority() {
        return 2510;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/jwt-auth.json");
    }

    @Override
    public ConfigSchema<Credential> consumerSchema() {
        return ConfigSchema.resource(Credential.class, "/schema/jwt-auth-consumer.json");
    }

    @Override
    public String credentialKey() {
        return "key";
    }

    /** What the schema cannot say: the public key must parse for its algorithm, a base64 secret must decode. */
    @Override
    public void checkCredential(Credential credential) throws PluginConfigException {
        ConsumerVerifier.algorithm(credential);
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        ClaimsToVerify claims = ClaimsToVerify.of(config.claimsToVerify());
        services.requireConsumer("anonymous_consumer", config.anonymousConsumer());
        Map<String, ConsumerVerifier> byKey = new HashMap<>();
        for (PluginServices.Credential<Credential> credential : services.credentials(this)) {
            byKey.put(credential.credential().key(), ConsumerVerifier.compile(credential.username(), credential.credential(), claims));
        }
        return new JwtAuthInstance(config, services.log(), Map.copyOf(byKey));
    }
}
