package io.tidegate.plugin.api;

/**
 * A plugin that authenticates requests (key-auth, jwt-auth). Its entry on a consumer is that
 * consumer's credential, declared by {@link #consumerSchema()} (APISIX's {@code consumer_schema})
 * and handed to route instances through {@link PluginServices#credentials}; it is not a plugin the
 * consumer runs. The instance identifies the request's consumer with
 * {@link PluginContext#authenticate} in the rewrite phase, or answers 401 itself.
 *
 * @param <C> the configuration record on a route, service or global rule
 * @param <K> a consumer's credential record
 */
public interface AuthPlugin<C, K> extends GatewayPlugin<C> {
    /** A consumer's credential: its schema and record type. */
    ConfigSchema<K> consumerSchema();

    /**
     * The credential field that identifies a consumer (key-auth's and jwt-auth's {@code key}); the
     * gateway refuses a configuration in which two consumers share a value. Null: no such field.
     */
    default String credentialKey() {
        return null;
    }

    /** Checks of one credential that its schema cannot express (a key that must parse, say). */
    default void checkCredential(K credential) throws PluginConfigException {}
}
