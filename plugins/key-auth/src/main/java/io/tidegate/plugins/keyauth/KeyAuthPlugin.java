package io.tidegate.plugins.keyauth;

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
 * APISIX's {@code key-auth} (priority 2500, rewrite phase). Route: {@code header} ("apikey"),
 * {@code query} ("apikey"), {@code hide_credentials} (false). Consumer: {@code key}, unique across
 * consumers.
 */
@Extension
public final class KeyAuthPlugin implements GatewayPlugin {
    private static final Set<String> ROUTE_FIELDS = Set.of("header", "query", "hide_credentials");
    private static final Set<String> CONSUMER_FIELDS = Set.of("key");

    @Override
    public String name() {
        return "key-auth";
    }

    @Override
    public int priority() {
        return 2500;
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
        ConfigFields.requireOnly(credential, CONSUMER_FIELDS);
        JsonNode key = credential.get("key");
        if (key == null || !key.isTextual() || key.textValue().isEmpty()) {
            throw new PluginConfigException("key", "is required (a non-empty string)");
        }
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        ConfigFields.requireOnly(config, ROUTE_FIELDS);
        String header = text(config, "header", "apikey");
        String query = text(config, "query", "apikey");
        JsonNode hide = config.path("hide_credentials");
        if (!hide.isMissingNode() && !hide.isBoolean()) {
            throw new PluginConfigException("hide_credentials", "must be a boolean");
        }
        Map<String, String> consumersByKey = new HashMap<>();
        for (PluginServices.ConsumerCredential credential : services.consumers(name())) {
            consumersByKey.put(credential.credential().get("key").textValue(), credential.username());
        }
        return new KeyAuthInstance(header, query, hide.asBoolean(false), Map.copyOf(consumersByKey));
    }

    private static String text(JsonNode config, String field, String fallback) throws PluginConfigException {
        JsonNode value = config.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isTextual() || value.textValue().isEmpty()) {
            throw new PluginConfigException(field, "must be a non-empty string");
        }
        return value.textValue();
    }
}
