package io.tidegate.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a configuration file's text without trusting what its path names. A path can name a device
 * ({@code /dev/zero} never ends), a FIFO (opening it waits for a writer that may never come) or a
 * directory, so anything but a regular file is refused before it is opened, and so is a file larger
 * than {@link #MAX_BYTES}. The path can still change between that check and the read, so the read
 * itself takes at most {@code MAX_BYTES + 1} bytes and gives up after {@link #READ_DEADLINE}.
 */
final class ConfigFileReader {
    /** Bounds the read, whatever the path names: 100,000 routes take about 8 MiB. */
    static final int MAX_BYTES = 32 << 20;
    static final Duration READ_DEADLINE = Duration.ofSeconds(10);

    private final int maxBytes;
    private final Duration deadline;

    ConfigFileReader() {
        this(MAX_BYTES, READ_DEADLINE);
    }

    /** Smaller limits, for tests. */
    ConfigFileReader(int maxBytes, Duration deadline) {
        this.maxBytes = maxBytes;
        this.deadline = deadline;
    }

    /** A file that cannot be read as configuration text; the message completes "PATH: ". */
    static final class UnreadableFileException extends Exception {
        UnreadableFileException(String message) {
            super(message);
        }
    }

    /** The file's text, decoded as UTF-8. */
    String read(Path file) throws UnreadableFileException {
        long size = regularFileAttributes(file).size();
        if (size > maxBytes) {
            throw new UnreadableFileException("is " + size + " bytes, more than the " + limit());
        }
        return decode(readAtMostLimit(file));
    }

    private static BasicFileAttributes regularFileAttributes(Path file) throws UnreadableFileException {
        BasicFileAttributes attributes;
        try {
            // follows symbolic links, as the read does: Kubernetes mounts a ConfigMap as links to files
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw unreadable(e);
        }
        if (attributes.isDirectory()) {
            throw new UnreadableFileException("is a directory, not a file");
        }
        if (!attributes.isRegularFile()) {
            throw new UnreadableFileException("is not a regular file (a device, FIFO or socket), so it is not read");
        }
        return attributes;
    }

    /**
     * Reads the file as if nothing had been checked, since the path may have changed since
     * {@link #read} checked it: at most {@code maxBytes + 1} bytes (the one extra tells a file that
     * is too large), on a thread of its own that is waited for no longer than the deadline, because
     * opening a FIFO blocks in the kernel where no interrupt reaches. A read that overruns is
     * interrupted, which closes its channel; a thread still stuck opening a FIFO is a daemon that
     * holds nothing and ends once anything opens the FIFO for writing.
     */
    byte[] readAtMostLimit(Path file) throws UnreadableFileException {
        FutureTask<byte[]> read = new FutureTask<>(() -> {
            try (InputStream in = Files.newInputStream(file)) {
                return in.readNBytes(maxBytes + 1);
            }
        });
        Thread reader = new Thread(read, "tidegate-config-read");
        reader.setDaemon(true);
        reader.start();
        byte[] bytes;
        try {
            bytes = read.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            reader.interrupt();
            throw new UnreadableFileException("could not be read within " + describe(deadline)
                    + " (has it become a FIFO or device?)");
        } catch (InterruptedException e) {
            reader.interrupt();
            Thread.currentThread().interrupt();
            throw new UnreadableFileException("reading was interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? unreadable(io)
                    : new UnreadableFileException("cannot read: " + e.getCause());
        }
        if (bytes.length > maxBytes) {
            throw new UnreadableFileException("holds more than the " + limit());
        }
        return bytes;
    }

    private static UnreadableFileException unreadable(IOException e) {
        if (e instanceof NoSuchFileException) {
            return new UnreadableFileException("file not found");
        }
        if (e instanceof AccessDeniedException) {
            return new UnreadableFileException("cannot read: permission denied");
        }
        return new UnreadableFileException("cannot read: " + e.getMessage());
    }

    private String limit() {
        String size = maxBytes % (1 << 20) == 0 ? (maxBytes >> 20) + " MiB" : maxBytes + " bytes";
        return size + " a configuration file may have";
    }

    private static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static String decode(byte[] bytes) throws UnreadableFileException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new UnreadableFileException("is not UTF-8 text");
        }
    }
}
