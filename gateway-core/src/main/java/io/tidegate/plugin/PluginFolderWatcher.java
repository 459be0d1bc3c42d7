package io.tidegate.plugin;

import io.tidegate.source.FolderWatch;
import java.nio.file.Path;
import java.util.List;

/**
 * Watches the plugin folder and syncs the registry when jars change: after a quiet moment (a copy
 * in progress fires many events), and on a slow periodic scan as a safety net for missed events.
 * Calls {@code onChange} when the registry's plugin types are no longer those the gateway last
 * compiled with: after its own sync, or after another gateway's sharing the registry (whose sync
 * then left this one's with nothing to do).
 */
public final class PluginFolderWatcher implements AutoCloseable {
    private static final long QUIET_MILLIS = 250;
    private static final long RESCAN_MILLIS = 5_000;

    private final PluginRegistry registry;
    private final Runnable onChange;
    private PluginCatalog compiledWith;
    private final FolderWatch watch;

    /** @param compiledWith the catalog the serving configuration was compiled with */
    public PluginFolderWatcher(PluginRegistry registry, PluginCatalog compiledWith, Runnable onChange) {
        this.registry = registry;
        this.onChange = onChange;
        this.compiledWith = compiledWith;
        this.watch = new FolderWatch(List.of(registry.dir()), QUIET_MILLIS, RESCAN_MILLIS, "tidegate-plugin-watch", this::syncNow);
    }

    /** Syncs the registry with the folder now (the Admin API's reload asks); true when {@code onChange} ran. */
    public synchronized boolean syncNow() {
        registry.sync();
        PluginCatalog now = registry.catalog();
        if (now == compiledWith) {
            return false;
        }
        compiledWith = now;
        onChange.run();
        return true;
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
