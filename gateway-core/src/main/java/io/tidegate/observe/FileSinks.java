package io.tidegate.observe;

import io.tidegate.plugin.api.LineSink;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The log files plugins write to, one {@link LineFileWriter} per path, shared by every plugin
 * instance and configuration version naming it. A writer starts on its first line, so checking a
 * configuration ({@code -t}) opens no file.
 */
public final class FileSinks implements AutoCloseable {
    private final Path baseDir;
    private final Map<Path, LineFileWriter<String>> writers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public FileSinks(Path baseDir) {
        this.baseDir = baseDir;
    }

    public LineSink sink(String path) {
        Path file = baseDir.resolve(path).toAbsolutePath().normalize();
        return line -> !closed && writers.computeIfAbsent(file,
                f -> new LineFileWriter<String>(f, LineFileWriter.DEFAULT_CAPACITY, s -> s)).offer(line);
    }

    /** Lines dropped across all plugin log files. */
    public long dropped() {
        return writers.values().stream().mapToLong(LineFileWriter::dropped).sum();
    }

    @Override
    public void close() {
        closed = true;
        writers.values().forEach(LineFileWriter::close);
        writers.clear();
    }
}
