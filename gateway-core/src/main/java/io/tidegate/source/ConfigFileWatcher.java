package io.tidegate.source;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches configuration files and calls back when their content changed. It watches the folders
 * rather than the files, so an editor's or a Kubernetes ConfigMap's atomic rename (a new file, or
 * a swapped {@code ..data} link, takes the old one's place) is seen like an in-place write. Events
 * only prompt a look: the callback runs when the bytes differ from the last ones seen, after the
 * folder has been quiet for {@value #QUIET_MILLIS} ms so a write in progress is not read half
 * done. A scan every {@value #RESCAN_MILLIS} ms covers events the platform does not deliver (a
 * file behind a symbolic link into another folder, a network file system).
 */
public final class ConfigFileWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigFileWatcher.class);
    private static final long QUIET_MILLIS = 100;
    private static final long RESCAN_MILLIS = 2_000;

    private final List<Path> files;
    private final Runnable onChange;
    private final WatchService watcher;
    private final Thread thread;
    private byte[] seen;

    public ConfigFileWatcher(List<Path> files, Runnable onChange) {
        this.files = List.copyOf(files);
        this.onChange = onChange;
        this.seen = fingerprint();
        Set<Path> folders = new LinkedHashSet<>();
        files.forEach(file -> folders.add(file.toAbsolutePath().getParent()));
        try {
            this.watcher = FileSystems.getDefault().newWatchService();
            for (Path folder : folders) {
                folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch " + folders + ": " + e.getMessage(), e);
        }
        this.thread = new Thread(this::run, "tidegate-config-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                WatchKey key = watcher.poll(RESCAN_MILLIS, TimeUnit.MILLISECONDS);
                while (key != null) {
                    key.pollEvents();
                    key.reset();
                    key = watcher.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS);
                }
                byte[] now = fingerprint();
                if (!Arrays.equals(now, seen)) {
                    seen = now;
                    notifyChange();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void notifyChange() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            log.error("applying the changed configuration failed", e);
        }
    }

    /** A digest of every file's bytes (a missing file counts as its own state). */
    private byte[] fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file : files) {
                try {
                    digest.update(Files.readAllBytes(file));
                    digest.update((byte) 1);
                } catch (NoSuchFileException e) {
                    digest.update((byte) 0);
                } catch (IOException e) {
                    log.warn("cannot read {}: {}", file, e.getMessage());
                    digest.update((byte) 2);
                }
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
