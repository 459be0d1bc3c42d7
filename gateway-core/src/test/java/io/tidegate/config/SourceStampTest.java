package io.tidegate.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A loaded configuration knows whether its files still hold what it was read from, without parsing them. */
class SourceStampTest {
    @Test
    void anEditEvenOfTheSameSizeIsSeenAndAnUntouchedFileIsNot(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "routes:\n  - { id: a, uri: /a, upstream: { nodes: { \"127.0.0.1:1\": 1 } } }\n");
        GatewayConfig loaded = new ConfigLoader().load(file);
        assertTrue(loaded.sourcesUnchanged());
        Files.writeString(file, "routes:\n  - { id: b, uri: /b, upstream: { nodes: { \"127.0.0.1:1\": 1 } } }\n");
        assertFalse(loaded.sourcesUnchanged(), "same size, other text");
        Files.delete(file);
        assertFalse(loaded.sourcesUnchanged(), "a file that is gone cannot be told unchanged");
    }
}
