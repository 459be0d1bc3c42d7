package io.tidegate.plugin;

import io.tidegate.plugin.api.LineSink;
import io.tidegate.plugin.api.PluginServices;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What plugins may ask while one configuration version is compiled: its consumers, whose
 * configuration it is, and the gateway's shared log files.
 */
public record CompileServices(Map<String, List<ConsumerCredential>> credentials, Set<String> usernames, String owner,
                              Function<String, LineSink> sinks) implements PluginServices {
    public static final CompileServices NONE = new CompileServices(Map.of(), Set.of(), "", path -> line -> false);

    public CompileServices {
        credentials = Map.copyOf(credentials);
        usernames = Set.copyOf(usernames);
    }

    /** The same consumers, for the configuration of another owner. */
    public CompileServices ownedBy(String owner) {
        return new CompileServices(credentials, usernames, owner, sinks);
    }

    @Override
    public LineSink lineSink(String path) {
        return sinks.apply(path);
    }

    @Override
    public List<ConsumerCredential> consumers(String pluginName) {
        return credentials.getOrDefault(pluginName, List.of());
    }

    @Override
    public boolean hasConsumer(String username) {
        return usernames.contains(username);
    }
}
