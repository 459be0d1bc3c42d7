package io.tidegate.plugin;

import io.tidegate.source.FolderWatch;
import java.nio.file.Path;
import java.util.List;

/**
 * Watches the plugin folder and syncs the registry when jars change: after a quiet moment (a copy
 * in progress fires many events), and on a slow periodic scan as a safety net for missed events.
 * Calls {@code onChange} when the set of plugin types changed.
 */
public final class PluginFolderWatcher implements AutoCloseable {
    private static final long QUIET_MILLIS = 250;
    private static final long RESCAN_MILLIS = 5_000;

    private final PluginRegistry registry;
    private final FolderWatch watch;

    public PluginFolderWatcher(PluginRegistry registry, Runnable onChange) {
        this.registry = registry;
        this.watch = new FolderWatch(List.of(registry.dir()), QUIET_MILLIS, RESCAN_MILLIS, "tidegate-plugin-watch", () -> {
            if (registry.sync()) {
                onChange.run();
            }
        });
    }

    /** The folder being watched, for tests and logs. */
    public Path dir() {
        return registry.dir();
    }

    @Override
    public void close() {
        watch.close();
    }
}
