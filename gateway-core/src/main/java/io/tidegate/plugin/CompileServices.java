package io.tidegate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.LineSink;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginServices;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What plugins may ask while one configuration version is compiled: its consumers, whose
 * configuration it is, the gateway's shared log files, its counts of dropped entries and
 * compiled conditions.
 */
public record CompileServices(Map<String, List<ConsumerCredential>> credentials, Set<String> usernames, String owner,
                              PluginOutputs outputs) implements PluginServices {
    public static final CompileServices NONE = new CompileServices(Map.of(), Set.of(), "", PluginOutputs.DISCARD);

    public CompileServices {
        credentials = Map.copyOf(credentials);
        usernames = Set.copyOf(usernames);
    }

    /** The same consumers, for the configuration of another owner. */
    public CompileServices ownedBy(String owner) {
        return new CompileServices(credentials, usernames, owner, outputs);
    }

    @Override
    public LineSink lineSink(String path) {
        return outputs.lineSink(path);
    }

    @Override
    public DropCounter droppedEntries(String pluginName) {
        return outputs.droppedEntries(pluginName);
    }

    @Override
    public List<ConsumerCredential> consumers(String pluginName) {
        return credentials.getOrDefault(pluginName, List.of());
    }

    @Override
    public boolean hasConsumer(String username) {
        return usernames.contains(username);
    }

    @Override
    public Predicate<PluginContext> conditions(String field, JsonNode conditions) throws PluginConfigException {
        return PluginConditions.compile(field, conditions);
    }
}
