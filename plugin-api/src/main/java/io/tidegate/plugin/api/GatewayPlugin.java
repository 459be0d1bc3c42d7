package io.tidegate.plugin.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.pf4j.ExtensionPoint;

/**
 * A plugin type: one per plugin name. Found by PF4J in a plugin jar (annotate the class with
 * {@code @org.pf4j.Extension}). Must be stateless and thread-safe; state lives in instances.
 */
public interface GatewayPlugin extends ExtensionPoint {
    /** The name used under {@code plugins:}, e.g. {@code "limit-count"}. */
    String name();

    /** APISIX's priority: within a phase, higher runs first. */
    int priority();

    /**
     * Validates one configuration and builds the instance that serves it. Called when a
     * configuration version is compiled, off the request path; never per request.
     *
     * @param config   the object under the plugin's name (without {@code _meta})
     * @param services what the gateway shares with plugins (consumers, for auth plugins)
     * @throws PluginConfigException naming the offending field; the configuration version is rejected
     */
    PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException;

    /**
     * Whether this plugin authenticates requests. An authentication plugin's entry on a consumer
     * is that consumer's credential (checked with {@link #validateConsumer}), not a plugin to run.
     */
    default boolean authenticates() {
        return false;
    }

    /** Validates a consumer's credential for an authentication plugin. */
    default void validateConsumer(JsonNode credential) throws PluginConfigException {}

    /**
     * The credential field that identifies a consumer (key-auth's and jwt-auth's {@code key}); the
     * gateway rejects a configuration where two consumers share a value. Null: no such field.
     */
    default String credentialKey() {
        return null;
    }
}
