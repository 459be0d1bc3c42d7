package io.tidegate.plugins.jwtauth;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigFields;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.pf4j.Extension;

/**
 * APISIX's {@code jwt-auth} (priority 2510, rewrite phase). Consumer: {@code key} (unique),
 * {@code secret} (HS*) or {@code public_key} (RS*, PS*, ES*, EdDSA), {@code algorithm} (HS256),
 * {@code base64_secret}, {@code lifetime_grace_period}. Route: {@code header} ("authorization"),
 * {@code query} ("jwt"), {@code cookie} ("jwt"), {@code hide_credentials}, {@code key_claim_name}
 * ("key"), {@code claims_to_verify} (see {@link ClaimsToVerify}), {@code anonymous_consumer}.
 */
@Extension
public final class JwtAuthPlugin implements GatewayPlugin {
    private static final Set<String> ROUTE_FIELDS = Set.of("header", "query", "cookie", "hide_credentials",
            "key_claim_name", "claims_to_verify", "anonymous_consumer");

    @Override
    public String name() {
        return "jwt-auth";
    }

    @Override
    public int priority() {
        return 2510;
    }

    @Override
    public boolean authenticates() {
        return true;
    }

    @Override
    public String credentialKey() {
        return "key";
    }

    @Override
    public void validateConsumer(JsonNode credential) throws PluginConfigException {
        ConsumerVerifier.algorithm(credential);
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        ConfigFields.requireOnly(config, ROUTE_FIELDS);
        String header = text(config, "header", "authorization");
        String query = text(config, "query", "jwt");
        String cookie = text(config, "cookie", "jwt");
        String keyClaim = text(config, "key_claim_name", "key");
        boolean hide = bool(config, "hide_credentials");
        ClaimsToVerify claims = ClaimsToVerify.of(config.get("claims_to_verify"));
        String anonymous = text(config, "anonymous_consumer", null);
        if (anonymous != null && !services.hasConsumer(anonymous)) {
            throw new PluginConfigException("anonymous_consumer", "consumer \"" + anonymous + "\" does not exist");
        }
        Map<String, ConsumerVerifier> byKey = new HashMap<>();
        for (PluginServices.ConsumerCredential credential : services.consumers(name())) {
            byKey.put(credential.credential().get("key").textValue(),
                    ConsumerVerifier.compile(credential.username(), credential.credential(), claims));
        }
        return new JwtAuthInstance(header, query, cookie, keyClaim, hide, anonymous, Map.copyOf(byKey));
    }

    private static boolean bool(JsonNode config, String field) throws PluginConfigException {
        JsonNode value = config.get(field);
        if (value != null && !value.isBoolean()) {
            throw new PluginConfigException(field, "must be a boolean");
        }
        return value != null && value.booleanValue();
    }

    private static String text(JsonNode config, String field, String fallback) throws PluginConfigException {
        JsonNode value = config.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual() || value.textValue().isEmpty()) {
            throw new PluginConfigException(field, "must be a non-empty string");
        }
        return value.textValue();
    }
}
