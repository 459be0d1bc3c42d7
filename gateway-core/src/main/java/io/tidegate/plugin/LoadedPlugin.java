package io.tidegate.plugin;

import io.tidegate.plugin.api.AuthPlugin;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.schema.BoundSchema;

/**
 * A plugin type available to configurations, its compiled schemas, and where it came from.
 *
 * @param consumerSchema  the credential schema of an authentication plugin, else null
 * @param attributeSchema the schema of its {@code plugin_attr}, or null when it takes none
 */
public record LoadedPlugin(String name, GatewayPlugin<?> plugin, BoundSchema<?> configSchema, BoundSchema<?> consumerSchema,
                           BoundSchema<?> attributeSchema, String pluginId, String version, String jar) {
    /**
     * Compiles the plugin's declared schemas.
     *
     * @throws IllegalArgumentException naming what is wrong with a schema; the plugin cannot be used
     */
    public static LoadedPlugin of(GatewayPlugin<?> plugin, String pluginId, String version, String jar) {
        try {
            BoundSchema<?> config = BoundSchema.compile(plugin.configSchema());
            BoundSchema<?> consumer = plugin instanceof AuthPlugin<?, ?> auth ? BoundSchema.compile(auth.consumerSchema()) : null;
            BoundSchema<?> attributes = plugin.attributeSchema() == null ? null : BoundSchema.compile(plugin.attributeSchema());
            return new LoadedPlugin(plugin.name(), plugin, config, consumer, attributes, pluginId, version, jar);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("plugin " + plugin.name() + ": " + e.getMessage(), e);
        }
    }

    /** Whether this plugin authenticates requests (its entry on a consumer is a credential). */
    public boolean authenticates() {
        return plugin instanceof AuthPlugin;
    }

    /** The authentication plugin, or null. */
    public AuthPlugin<?, ?> auth() {
        return plugin instanceof AuthPlugin<?, ?> auth ? auth : null;
    }
}
