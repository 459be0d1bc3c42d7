package io.tidegate.observe;

import io.tidegate.plugin.PluginOutputs;
import io.tidegate.plugin.SharedStates;
import io.tidegate.plugin.api.CacheZones;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.LineSink;

/** The running gateway's plugin outputs: they outlive every configuration version. */
public record SharedPluginOutputs(FileSinks files, DroppedEntries drops, SharedStates states, CacheZones cacheZones)
        implements PluginOutputs, AutoCloseable {
    public SharedPluginOutputs(FileSinks files, DroppedEntries drops, CacheZones cacheZones) {
        this(files, drops, new SharedStates(), cacheZones);
    }

    @Override
    public SharedStates sharedStates() {
        return states;
    }

    @Override
    public LineSink lineSink(String path) {
        return files.sink(path);
    }

    @Override
    public DropCounter droppedEntries(String pluginName) {
        return drops.counterFor(pluginName);
    }

    @Override
    public void close() {
        files.close();
    }
}
