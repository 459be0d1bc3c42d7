package io.tidegate.plugin.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the gateway shares with a plugin while it builds an instance ({@link GatewayPlugin#create}).
 * Valid during that call; what it returns (a logger, a template, shared state) may be kept by the
 * instance.
 */
public interface PluginServices {
    /** One consumer's credential for an authentication plugin, bound to the plugin's credential record. */
    record Credential<K>(String username, K credential) {}

    /** Every consumer's credential for {@code plugin}, in configuration order. */
    <K> List<Credential<K>> credentials(AuthPlugin<?, K> plugin);

    /** Whether a consumer of that name exists. */
    boolean hasConsumer(String username);

    /**
     * Refuses the configuration unless {@code username} names a consumer (for settings such as
     * {@code anonymous_consumer}); null names nothing and passes.
     *
     * @throws PluginConfigException at {@code field}: {@code consumer "x" does not exist}
     */
    default void requireConsumer(String field, String username) throws PluginConfigException {
        if (username != null && !hasConsumer(username)) {
            throw new PluginConfigException(field, "consumer \"" + username + "\" does not exist");
        }
    }

    /**
     * The resource this configuration belongs to, stable across configuration versions:
     * {@code route:1}, {@code service:s}, {@code plugin_config:p}, {@code global_rule:g} or
     * {@code consumer:jack}.
     */
    String owner();

    /**
     * This plugin's {@code tidegate.plugin_attr.<name>}, bound to the record of
     * {@link GatewayPlugin#attributeSchema} (an empty object when the file sets none, so defaults
     * apply). The same object for every instance until the file's settings change at a restart.
     *
     * @throws IllegalStateException when the plugin declares no attribute schema or {@code type}
     *                               is not its record
     */
    <A> A attributes(Class<A> type);

    /** This plugin's logger: every line names the plugin and {@link #owner()}. */
    PluginLog log();

    /**
     * State that outlives configuration versions: the object under {@code key} (any value with
     * equals and hashCode, such as a settings record), made by {@code create} the first time it is
     * asked for. Every instance that asked for it holds it; it is closed once the last of them is
     * closed (its configuration version retired, or failed to compile). Keys are this plugin's own:
     * two plugins never share an object. So a reload neither resets a counter nor cuts a batch short.
     */
    <S extends AutoCloseable> S shared(Object key, Supplier<S> create);

    /**
     * The HTTP/1.1 client for calls to other services (an authorization service, an OpenID
     * provider); asynchronous use ({@code sendAsync}) keeps the request's IO thread free. One per
     * plugin and {@code verifyTls}, kept across configuration versions so its connections are
     * reused. {@code verifyTls} false accepts any certificate and name (APISIX's
     * {@code ssl_verify: false}). Redirects are not followed.
     */
    java.net.http.HttpClient httpClient(boolean verifyTls);

    /**
     * Compiles a JSON Schema found in a plugin's configuration (request-validation's
     * {@code body_schema}) with the validator the gateway checks configurations with (draft 7).
     *
     * @throws PluginConfigException at {@code field} when it is no valid JSON Schema
     */
    JsonSchemaCheck jsonSchema(String field, JsonNode schema) throws PluginConfigException;

    /**
     * Compiles a {@code $variable} template (see {@link Template}); errors name {@code field}.
     */
    Template template(String field, String text) throws PluginConfigException;

    /**
     * The shared writer of a log file (a relative path is taken from the configuration file's
     * folder). Nothing is opened until the first line is written.
     */
    LineSink lineSink(String path);

    /**
     * The counter for entries the plugin dropped, exported by the gateway as
     * {@code tidegate_plugin_entries_dropped_total{plugin="..."}}.
     */
    DropCounter droppedEntries();

    /**
     * Compiles a list of conditions in the form of a route's {@code vars}
     * ({@code [["arg_debug", "==", "1"], ["status", ">=", 500]]}: all must hold, same operators) into
     * a test of a request, evaluated on {@link PluginContext#var}. For APISIX settings such as
     * {@code include_resp_body_expr} (declare the field as a JSON node in the record). Errors name
     * {@code field} and the condition's index.
     */
    Predicate<PluginContext> conditions(String field, JsonNode conditions) throws PluginConfigException;

    /**
     * Compiles an upstream written inside the plugin's configuration (APISIX's upstream object:
     * nodes, type, retries, timeout, checks, pass_host, ...), checked as a route's inline upstream
     * is. Its health checks and connection pools live as long as the instance's configuration.
     *
     * @throws PluginConfigException at {@code field} (or below it) when the upstream is invalid
     */
    UpstreamRef upstream(String field, JsonNode upstream) throws PluginConfigException;

    /**
     * The configuration's upstream of that id, looked up for each request in the configuration
     * serving it, so a later change to that upstream applies without recompiling the plugin. It
     * need not exist yet: {@link PluginContext#useUpstream} says whether it does.
     */
    UpstreamRef upstreamId(String id);

    /** The gateway's cache zones ({@code tidegate.proxy_cache}). */
    CacheZones cacheZones();

    /**
     * The configuration's proto of that id (APISIX's {@code protos} resource) compiled, as a
     * serialized {@code google.protobuf.FileDescriptorSet} holding its file and what that imports,
     * dependencies first; null when the configuration has no such proto. A configuration whose
     * protos change compiles its plugins again, so the answer is always that of the version the
     * plugin serves in.
     */
    default byte[] proto(String id) {
        return null;
    }
}
