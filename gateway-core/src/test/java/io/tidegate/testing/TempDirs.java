package io.tidegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Temporary folders for tests, all inside one folder per test JVM that is deleted when the JVM
 * exits. Before, each test gateway, etcd, Redis and plugin folder stayed in /tmp for good: CI runs
 * on one machine had left 150,000 of them, 80 GB, until the disk was full.
 */
public final class TempDirs {
    private static final Path ROOT = root();

    private TempDirs() {}

    /** A new empty folder named {@code prefix...}, deleted with the others when the JVM exits. */
    public static Path create(String prefix) {
        try {
            return Files.createTempDirectory(ROOT, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path root() {
        try {
            Path root = Files.createTempDirectory("tidegate-tests-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root), "tidegate-test-cleanup"));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a folder and what it holds; what cannot be deleted (still open) is left. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // left for the operating system's /tmp cleaning
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // as above
        }
    }
}
