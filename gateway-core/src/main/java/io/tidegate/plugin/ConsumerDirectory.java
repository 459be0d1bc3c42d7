package io.tidegate.plugin;

import io.tidegate.plugin.api.PluginServices;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The consumers of one configuration version: each one's own plugins (those that are not
 * credentials), and every authentication plugin's credentials for {@link PluginServices}.
 */
public final class ConsumerDirectory implements PluginServices {
    public static final ConsumerDirectory EMPTY = new ConsumerDirectory(Map.of(), Map.of());

    /** A consumer's runnable plugins, and the plugin names it uses that are not loaded. */
    public record ConsumerPlugins(PluginChain chain, Set<String> missing) {}

    private final Map<String, ConsumerPlugins> consumers;
    private final Map<String, List<ConsumerCredential>> credentials;

    public ConsumerDirectory(Map<String, ConsumerPlugins> consumers, Map<String, List<ConsumerCredential>> credentials) {
        this.consumers = Map.copyOf(consumers);
        this.credentials = Map.copyOf(credentials);
    }

    /** Null when there is no such consumer. */
    public ConsumerPlugins find(String username) {
        return consumers.get(username);
    }

    @Override
    public List<ConsumerCredential> consumers(String pluginName) {
        return credentials.getOrDefault(pluginName, List.of());
    }
}
