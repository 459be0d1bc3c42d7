package io.tidegate.config;

import java.nio.charset.StandardCharsets;

/**
 * A configuration file's text as it was read, kept as its length and {@link Checksum}: whether the
 * file still holds that text is a read and a checksum, where parsing it again (10,000 routes) is
 * most of a start-up.
 */
public record SourceStamp(java.nio.file.Path file, long length, long checksum) {
    static SourceStamp of(java.nio.file.Path file, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new SourceStamp(file, bytes.length, Checksum.of(bytes));
    }

    /** Whether the file still holds the text it was read with (false when it cannot be read). */
    public boolean unchanged() {
        try {
            byte[] now = new ConfigFileReader().read(file).getBytes(StandardCharsets.UTF_8);
            return now.length == length && Checksum.of(now) == checksum;
        } catch (ConfigFileReader.UnreadableFileException e) {
            return false;
        }
    }
}
