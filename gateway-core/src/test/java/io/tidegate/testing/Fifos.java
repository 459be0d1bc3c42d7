package io.tidegate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Named pipes for tests, made by the system's {@code mkfifo} (Java cannot create one). */
public final class Fifos {
    private Fifos() {}

    /** Creates a FIFO at {@code path}; nothing ever writes to it, so a reader would wait forever. */
    public static Path make(Path path) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
            throw new IOException("mkfifo " + path + " failed: " + new String(mkfifo.getInputStream().readAllBytes()));
        }
        if (!Files.exists(path) || Files.isRegularFile(path)) {
            throw new IOException("mkfifo made no FIFO at " + path);
        }
        return path;
    }
}
