package io.tidegate.plugin.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Predicate;

/** What the gateway shares with plugins when their configuration is compiled. */
public interface PluginServices {
    /** A consumer's credential for one authentication plugin. */
    record ConsumerCredential(String username, JsonNode credential) {}

    /** Every consumer's credential for the named authentication plugin, in configuration order. */
    List<ConsumerCredential> consumers(String pluginName);

    /** Whether a consumer of that name exists (for settings such as {@code anonymous_consumer}). */
    boolean hasConsumer(String username);

    /**
     * The resource this configuration belongs to, stable across configuration versions:
     * {@code route:1}, {@code service:s}, {@code plugin_config:p}, {@code global_rule:g} or
     * {@code consumer:jack}. State that must outlive a reload (counters) can be keyed by it.
     */
    String owner();

    /**
     * The shared writer of a log file (a relative path is taken from the configuration file's
     * folder). Nothing is opened until the first line is written.
     */
    LineSink lineSink(String path);

    /**
     * The counter for entries the named plugin dropped, exported by the gateway as
     * {@code tidegate_plugin_entries_dropped_total{plugin="..."}}. The default counts nowhere, for
     * test doubles; the gateway always supplies a real one.
     */
    default DropCounter droppedEntries(String pluginName) {
        return DropCounter.NONE;
    }

    /**
     * Compiles a list of conditions in the form of a route's {@code vars}
     * ({@code [["arg_debug", "==", "1"], ["status", ">=", 500]]}: all must hold, same operators) into
     * a test of a request, evaluated on {@link PluginContext#var}. For APISIX settings such as
     * {@code include_resp_body_expr}. Errors name {@code field} and the condition's index. The
     * default, for test doubles, refuses every list; the gateway always compiles them.
     */
    default Predicate<PluginContext> conditions(String field, JsonNode conditions) throws PluginConfigException {
        throw new PluginConfigException(field, "conditions are not available here");
    }
}
