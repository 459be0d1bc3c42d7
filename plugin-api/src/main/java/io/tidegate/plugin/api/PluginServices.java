package io.tidegate.plugin.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

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
}
