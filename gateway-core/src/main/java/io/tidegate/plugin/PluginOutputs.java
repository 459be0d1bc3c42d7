package io.tidegate.plugin;

import io.tidegate.plugin.api.CacheZones;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.LineSink;

/**
 * Where plugins' output goes and what outlives their configuration versions: the gateway's shared
 * log files, the counts of what they dropped, their shared state.
 */
public interface PluginOutputs {
    /** For checking a configuration ({@code -t}, Admin API checks): nothing is written or counted, nothing kept. */
    PluginOutputs DISCARD = new PluginOutputs() {
        @Override
        public LineSink lineSink(String path) {
            return line -> false;
        }

        @Override
        public DropCounter droppedEntries(String pluginName) {
            return DropCounter.NONE;
        }

        @Override
        public SharedStates sharedStates() {
            return new SharedStates();  // a check's own, dropped with it
        }
    };

    /** Discards output like {@link #DISCARD}, with the gateway's cache zones (checking its own configuration). */
    static PluginOutputs discarding(CacheZones zones) {
        return discardingWith(new SharedStates(), zones);
    }

    /** Discards output like {@link #DISCARD}, but plugins share state through {@code states}. */
    static PluginOutputs discardingWith(SharedStates states, CacheZones zones) {
        return new PluginOutputs() {
            @Override
            public CacheZones cacheZones() {
                return zones;
            }

            @Override
            public LineSink lineSink(String path) {
                return DISCARD.lineSink(path);
            }

            @Override
            public DropCounter droppedEntries(String pluginName) {
                return DropCounter.NONE;
            }

            @Override
            public SharedStates sharedStates() {
                return states;
            }
        };
    }

    LineSink lineSink(String path);

    DropCounter droppedEntries(String pluginName);

    SharedStates sharedStates();

    /** The gateway's cache zones ({@code tidegate.proxy_cache}). */
    default CacheZones cacheZones() {
        return CacheZones.DEFAULT;
    }
}
