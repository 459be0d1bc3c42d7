package io.tidegate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code tidegate.pid_file}: the process id, written once serving and removed on the way out. */
final class PidFile {
    private static final PidFile NONE = new PidFile(null);
    private final Path path;

    private PidFile(Path path) {
        this.path = path;
    }

    static PidFile write(String path) {
        if (path == null) {
            return NONE;
        }
        Path file = Path.of(path);
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            // renamed into place: a reader (a test, a monitor, the gateway being replaced) never sees it half written
            Path temp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.writeString(temp, ProcessHandle.current().pid() + "\n");
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new PidFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pid_file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes the file if it still holds this process's id (after a hand-over, it holds the newer gateway's). */
    void remove() {
        if (path != null) {
            try {
                if (Files.readString(path).trim().equals(String.valueOf(ProcessHandle.current().pid()))) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException ignored) {
                // leaving a stale pid file is all that can go wrong
            }
        }
    }
}
