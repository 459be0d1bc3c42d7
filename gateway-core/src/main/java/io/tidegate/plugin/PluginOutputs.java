package io.tidegate.plugin;

import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.LineSink;

/** Where plugins' output goes: the gateway's shared log files, and the counts of what they dropped. */
public interface PluginOutputs {
    /** For checking a configuration ({@code -t}): nothing is written or counted. */
    PluginOutputs DISCARD = new PluginOutputs() {
        @Override
        public LineSink lineSink(String path) {
            return line -> false;
        }

        @Override
        public DropCounter droppedEntries(String pluginName) {
            return DropCounter.NONE;
        }
    };

    LineSink lineSink(String path);

    DropCounter droppedEntries(String pluginName);
}
