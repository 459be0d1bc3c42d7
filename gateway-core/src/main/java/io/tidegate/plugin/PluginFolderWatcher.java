package io.tidegate.plugin;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the plugin folder and syncs the registry when jars change: after a quiet moment (a copy
 * in progress fires many events), and on a slow periodic scan as a safety net for missed events.
 * Calls {@code onChange} when the set of plugin types changed.
 */
public final class PluginFolderWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginFolderWatcher.class);
    private static final long QUIET_MILLIS = 250;
    private static final long RESCAN_MILLIS = 5_000;

    private final PluginRegistry registry;
    private final Runnable onChange;
    private final WatchService watcher;
    private final Thread thread;

    public PluginFolderWatcher(PluginRegistry registry, Runnable onChange) {
        this.registry = registry;
        this.onChange = onChange;
        try {
            this.watcher = FileSystems.getDefault().newWatchService();
            registry.dir().register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch the plugin folder " + registry.dir() + ": " + e.getMessage(), e);
        }
        this.thread = new Thread(this::run, "tidegate-plugin-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                WatchKey key = watcher.poll(RESCAN_MILLIS, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                    // let a copy finish: wait until the folder has been quiet for a moment
                    while ((key = watcher.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                        key.pollEvents();
                        key.reset();
                    }
                }
                syncAndNotify();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void syncAndNotify() {
        try {
            if (registry.sync()) {
                onChange.run();
            }
        } catch (RuntimeException e) {
            log.error("plugin folder sync failed", e);
        }
    }

    /** The folder being watched, for tests and logs. */
    public Path dir() {
        return registry.dir();
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            watcher.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
