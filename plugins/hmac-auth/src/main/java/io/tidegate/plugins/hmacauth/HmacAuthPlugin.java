package io.tidegate.plugins.hmacauth;

import io.tidegate.plugin.api.AuthPlugin;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code hmac-auth} (priority 2530, rewrite phase), the 3.x scheme: {@code Authorization:
 * Signature keyId="...",algorithm="hmac-sha256",headers="@request-target date",signature="..."}.
 * Route: {@code allowed_algorithms}, {@code clock_skew} (300 s), {@code signed_headers}
 * ({@code ["date"]}), {@code validate_request_body} with {@code Digest} and
 * {@code max_req_body_size}, {@code hide_credentials}, {@code realm} ("hmac"),
 * {@code anonymous_consumer}. Consumer: {@code key_id} (unique) and {@code secret_key}.
 */
@Extension
public final class HmacAuthPlugin implements AuthPlugin<HmacAuthPlugin.Settings, HmacAuthPlugin.Credential> {
    public record Settings(List<String> allowedAlgorithms, long clockSkew, List<String> signedHeaders, boolean validateRequestBody,
                           int maxReqBodySize, boolean hideCredentials, String realm, String anonymousConsumer) {}

    public record Credential(String keyId, String secretKey) {
        /** Never prints the secret: a credential may end up in a log line. */
        @Override
        public String toString() {
            return "Credential[keyId=" + keyId + ", secretKey=***]";
        }
    }

    @Override
    public String name() {
        return "hmac-auth";
    }

    @Override
    public int priority() {
        return 2530;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/hmac-auth.json");
    }

    @Override
    public ConfigSchema<Credential> consumerSchema() {
        return ConfigSchema.resource(Credential.class, "/schema/hmac-auth-consumer.json");
    }

    @Override
    public String credentialKey() {
        return "key_id";
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        services.requireConsumer("anonymous_consumer", config.anonymousConsumer());
        Map<String, HmacAuthInstance.Signer> signers = new HashMap<>();
        for (PluginServices.Credential<Credential> credential : services.credentials(this)) {
            signers.put(credential.credential().keyId(), new HmacAuthInstance.Signer(credential.username(),
                    credential.credential().secretKey().getBytes(StandardCharsets.UTF_8)));
        }
        return new HmacAuthInstance(config, Map.copyOf(signers), Clock.systemUTC());
    }
}
