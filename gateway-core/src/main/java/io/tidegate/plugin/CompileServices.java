package io.tidegate.plugin;

import io.tidegate.plugin.api.PluginServices;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What plugins may ask while one configuration version is compiled: its consumers. */
public record CompileServices(Map<String, List<ConsumerCredential>> credentials, Set<String> usernames)
        implements PluginServices {
    public static final CompileServices NONE = new CompileServices(Map.of(), Set.of());

    public CompileServices {
        credentials = Map.copyOf(credentials);
        usernames = Set.copyOf(usernames);
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
