package io.tidegate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.config.ConfigFileReader.UnreadableFileException;
import io.tidegate.testing.Fifos;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read behind the checks: what happens when a path that was checked as a small regular file
 * is something else by the time it is read, and the ordinary cases around it.
 */
class ConfigFileReaderTest {
    @TempDir
    Path dir;

    private final ConfigFileReader small = new ConfigFileReader(1024, Duration.ofMillis(300));

    private String refusal(ConfigFileReader reader, Path file) {
        return assertThrows(UnreadableFileException.class, () -> reader.read(file)).getMessage();
    }

    @Test
    void readsARegularFileAndAFileBehindASymbolicLink() throws Exception {
        Path real = Files.writeString(dir.resolve("real.yaml"), "routes: []  # é\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.yaml"), real);
        assertEquals("routes: []  # é\n", small.read(real));
        assertEquals("routes: []  # é\n", small.read(link), "a ConfigMap mounts its files as links");
    }

    @Test
    void aFileOfExactlyTheLimitIsRead() throws Exception {
        Path file = Files.writeString(dir.resolve("full.yaml"), "#".repeat(1024));
        assertEquals(1024, small.read(file).length());
        Files.writeString(file, "#".repeat(1025));
        assertEquals("is 1025 bytes, more than the 1024 bytes a configuration file may have", refusal(small, file));
    }

    @Test
    void aLinkToADeviceIsRefusedLikeTheDevice() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("config.yaml"), Path.of("/dev/zero"));
        assertEquals("is not a regular file (a device, FIFO or socket), so it is not read", refusal(small, link));
    }

    @Test
    void textThatIsNotUtf8IsRefused() throws IOException {
        Path file = Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xe9, '\n'});
        assertEquals("is not UTF-8 text", refusal(small, file));
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theReadStopsOneBytePastTheLimitWhateverThePathHasBecome() {
        UnreadableFileException e = assertThrows(UnreadableFileException.class,
                () -> small.readAtMostLimit(Path.of("/dev/zero")));
        assertEquals("holds more than the 1024 bytes a configuration file may have", e.getMessage());
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theReadGivesUpOnAFifoAtTheDeadline() throws Exception {
        Path fifo = Fifos.make(dir.resolve("became-a-fifo.yaml"));
        long start = System.nanoTime();
        UnreadableFileException e = assertThrows(UnreadableFileException.class,
                () -> small.readAtMostLimit(fifo));
        assertEquals("could not be read within 300 ms (has it become a FIFO or device?)", e.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "gave up at the deadline");
        // the abandoned reader is parked opening the FIFO: a writer that comes and goes lets it end
        try (FileOutputStream writer = new FileOutputStream(fifo.toFile())) {
            writer.write("routes: []\n".getBytes());
        }
    }
}
