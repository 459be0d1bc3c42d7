package io.tidegate.source;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a check on its own thread whenever something in the watched folders changed and the
 * folders have then been quiet for a moment (a copy or an editor's save fires many events), and
 * also every {@code rescanMillis} as a safety net for events the platform does not deliver. The
 * check decides whether anything it cares about really changed.
 */
public final class FolderWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FolderWatch.class);

    private final WatchService watcher;
    private final Thread thread;
    private final long quietMillis;
    private final long rescanMillis;
    private final Runnable check;

    public FolderWatch(Collection<Path> folders, long quietMillis, long rescanMillis, String threadName, Runnable check) {
        this.quietMillis = quietMillis;
        this.rescanMillis = rescanMillis;
        this.check = check;
        try {
            this.watcher = FileSystems.getDefault().newWatchService();
            for (Path folder : folders) {
                folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch " + folders + ": " + e.getMessage(), e);
        }
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                WatchKey key = watcher.poll(rescanMillis, TimeUnit.MILLISECONDS);
                while (key != null) {
                    key.pollEvents();
                    key.reset();
                    key = watcher.poll(quietMillis, TimeUnit.MILLISECONDS);
                }
                try {
                    check.run();
                } catch (RuntimeException e) {
                    log.error("{}: handling a change failed", thread.getName(), e);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
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
