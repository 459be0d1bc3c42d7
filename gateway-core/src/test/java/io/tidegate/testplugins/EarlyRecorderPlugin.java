package io.tidegate.testplugins;

import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;

/** "early-recorder" (priority 3000): a recorder that runs before "recorder" in every phase. */
public final class EarlyRecorderPlugin extends RecorderPlugin {
    @Override public String name() { return "early-recorder"; }
    @Override public int priority() { return 3000; }

    @Override
    public PluginInstance create(Tag config, PluginServices services) {
        return super.create(config, services);
    }
}
