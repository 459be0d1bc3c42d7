package io.tidegate.source;

import io.tidegate.config.Checksum;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches configuration files and calls back when their content changed. It watches the folders
 * rather than the files, so an editor's or a Kubernetes ConfigMap's atomic rename (a new file, or
 * a swapped {@code ..data} link, takes the old one's place) is seen like an in-place write. Events
 * only prompt a look: the callback runs when the bytes differ from the last ones seen, after the
 * folder has been quiet for {@value #QUIET_MILLIS} ms so a write in progress is not read half
 * done. A look every {@value #RESCAN_MILLIS} ms covers events the platform does not deliver (a
 * file behind a symbolic link into another folder, a network file system).
 */
public final class ConfigFileWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigFileWatcher.class);
    private static final long QUIET_MILLIS = 100;
    private static final long RESCAN_MILLIS = 2_000;
    /** As much as a configuration file may hold (ConfigLoader refuses more). */
    private static final int MAX_BYTES = 32 << 20;

    private final List<Path> files;
    private final Runnable onChange;
    private final FolderWatch watch;
    private long[] seen;

    /**
     * Starts watching. The files' content is taken as seen once the watch is registered, so that no
     * later edit goes unnoticed; an edit before that is the caller's to look for (compare the files
     * with what it loaded from them).
     */
    public ConfigFileWatcher(List<Path> files, Runnable onChange) {
        this.files = List.copyOf(files);
        this.onChange = onChange;
        Set<Path> folders = new LinkedHashSet<>();
        files.forEach(file -> folders.add(file.toAbsolutePath().getParent()));
        this.watch = new FolderWatch(folders, QUIET_MILLIS, RESCAN_MILLIS, "tidegate-config-watch", this::lookAgain);
        synchronized (this) {
            if (seen == null) {
                seen = fingerprint();
            }
        }
    }

    private synchronized void lookAgain() {
        long[] now = fingerprint();
        if (!Arrays.equals(now, seen)) {
            seen = now;
            onChange.run();
        }
    }

    /**
     * The state of every file: missing, not a regular file, unreadable, or its length and
     * {@link Checksum}. Only regular files are opened, and only so much is read as a configuration
     * file may hold: a path turned into a FIFO or a device must not hang or exhaust the watcher.
     * The reload that a change triggers then says what is wrong with it.
     */
    private long[] fingerprint() {
        long[] state = new long[files.size() * 2];
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            if (Files.exists(file) && !Files.isRegularFile(file)) {
                state[2 * i] = -3;
                continue;
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes(MAX_BYTES + 1);
                state[2 * i] = bytes.length;
                state[2 * i + 1] = Checksum.of(bytes);
            } catch (NoSuchFileException e) {
                state[2 * i] = -1;
            } catch (IOException e) {
                log.warn("cannot read {}: {}", file, e.getMessage());
                state[2 * i] = -2;
            }
        }
        return state;
    }

    @Override
    public void close() {
        watch.close();
    }
}
