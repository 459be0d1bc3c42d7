package io.tidegate.plugin;

import java.util.Map;
import java.util.Set;

/**
 * The consumers of one configuration version and each one's own plugins (those that are not
 * credentials), which join a request's chain once it is authenticated as that consumer.
 */
public final class ConsumerDirectory {
    public static final ConsumerDirectory EMPTY = new ConsumerDirectory(Map.of());

    /** A consumer's runnable plugins, the plugin names it uses that are not loaded, and those it turns off. */
    public record ConsumerPlugins(PluginChain chain, Set<String> missing, Set<String> disabled) {}

    private final Map<String, ConsumerPlugins> consumers;
    private final boolean choosesUpstreams;

    public ConsumerDirectory(Map<String, ConsumerPlugins> consumers) {
        this.consumers = Map.copyOf(consumers);
        this.choosesUpstreams = consumers.values().stream().anyMatch(c -> c.chain().choosesUpstreams());
    }

    /** Whether a consumer's plugin may send a request to an upstream of its own. */
    public boolean choosesUpstreams() {
        return choosesUpstreams;
    }

    /** Null when there is no such consumer. */
    public ConsumerPlugins find(String username) {
        return consumers.get(username);
    }
}
