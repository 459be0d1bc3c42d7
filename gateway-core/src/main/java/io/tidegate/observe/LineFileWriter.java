package io.tidegate.observe;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes lines to a file from a bounded queue on one background thread, so a slow disk never slows
 * a request; when the queue is full the item is dropped and counted. A file moved away
 * (logrotate) is noticed within a second and the path reopened, so nothing is lost in the move.
 *
 * @param <T> what callers hand in; formatted into a line on the writer thread
 */
public final class LineFileWriter<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LineFileWriter.class);
    static final int DEFAULT_CAPACITY = 65_536;

    private final Path path;
    private final Function<T, String> format;
    private final BlockingQueue<T> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;

    public LineFileWriter(Path path, int capacity, Function<T, String> format) {
        this.path = path;
        this.format = format;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::writeLoop, "tidegate-log-writer " + path.getFileName());
        writer.setDaemon(true);
        writer.start();
    }

    public Path path() {
        return path;
    }

    /** Never blocks: a full queue drops the item (counted in {@link #dropped}). */
    public boolean offer(T item) {
        if (queue.offer(item)) {
            return true;
        }
        dropped.incrementAndGet();
        return false;
    }

    public long dropped() {
        return dropped.get();
    }

    private void writeLoop() {
        OutputStream out = null;
        Object openedKey = null;
        long lastCheck = 0;
        List<T> batch = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                T first = queue.poll(200, TimeUnit.MILLISECONDS);
                long now = System.currentTimeMillis();
                if (out != null && now - lastCheck >= 1000) {
                    lastCheck = now;
                    if (!sameFile(openedKey)) {
                        out.close(); // rotated away: the old file keeps what it has, the path starts anew
                        out = null;
                    }
                }
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, 4095);
                if (out == null) {
                    Files.createDirectories(path.toAbsolutePath().getParent());
                    out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    openedKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                }
                StringBuilder lines = new StringBuilder(batch.size() * 200);
                for (T item : batch) {
                    lines.append(format.apply(item)).append('\n');
                }
                out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closing = true;
            } catch (IOException | RuntimeException e) {
                log.error("log file {}: cannot write ({}); {} lines lost", path, e.getMessage(), batch.size());
                dropped.addAndGet(batch.size());
                out = null;
            }
        }
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private boolean sameFile(Object openedKey) {
        try {
            return Files.exists(path) && Objects.equals(openedKey, Files.readAttributes(path, BasicFileAttributes.class).fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes out what is queued, then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
