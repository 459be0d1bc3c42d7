package io.tidegate.plugin.api;

import org.pf4j.ExtensionPoint;

/**
 * A plugin type: one per plugin name. Found by PF4J in a plugin jar (annotate the class with
 * {@code @org.pf4j.Extension}). One object serves every configuration version, from any thread:
 * keep no per-configuration state in it. State that must outlive a configuration version (counters,
 * a connection pool, a batch queue) comes from {@link PluginServices#shared}.
 *
 * <p>Its configuration is declared, not parsed: {@link #configSchema()} names a JSON Schema and a
 * record type, and {@link #create} receives a validated, defaulted, bound record.
 *
 * @param <C> the configuration record
 */
public interface GatewayPlugin<C> extends ExtensionPoint {
    /** The name used under {@code plugins:}, e.g. {@code "limit-count"}. */
    String name();

    /**
     * APISIX's priority: within a phase, higher runs first; equal priorities run in name order.
     * Bundled plugins use APISIX's numbers (the README lists them). A third-party plugin picks its
     * place among them: above 2600 runs before authentication, 1010-2499 between authentication
     * and the limits, below 1000 after the limits (and 400-410 next to the loggers).
     */
    int priority();

    /** The configuration's schema and record type. Called once, when the plugin is loaded. */
    ConfigSchema<C> configSchema();

    /**
     * The schema and record of the plugin's process-wide settings, APISIX's {@code plugin_attr}:
     * {@code tidegate.plugin_attr.<name>} in the configuration file (a collector's address, say),
     * validated and bound as a configuration is, defaults filled; an instance reads it with
     * {@link PluginServices#attributes}. Null (the default) for a plugin that takes none. Called
     * once, when the plugin is loaded.
     */
    default ConfigSchema<?> attributeSchema() {
        return null;
    }

    /**
     * Builds the instance that serves one configuration. Called when a configuration version is
     * compiled, off the request path; never per request. The schema has been checked already:
     * throw only for what a schema cannot say (one field's value limiting another's, a consumer
     * that must exist, a pattern that must compile).
     *
     * @param config   the configuration, valid against the schema, defaults filled
     * @param services what the gateway shares with plugins
     * @throws PluginConfigException naming the offending field; the configuration version is rejected
     */
    PluginInstance create(C config, PluginServices services) throws PluginConfigException;
}
