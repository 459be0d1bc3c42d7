package io.tidegate.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A configuration file's text as it was read, kept as a digest: whether the file still holds that
 * text is a read and a hash, where parsing it again (10,000 routes) is most of a start-up.
 */
public record SourceStamp(java.nio.file.Path file, byte[] sha256) {
    static SourceStamp of(java.nio.file.Path file, String text) {
        return new SourceStamp(file, digest(text));
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the file still holds the text it was read with (false when it cannot be read). */
    public boolean unchanged() {
        try {
            return Arrays.equals(sha256, digest(new ConfigFileReader().read(file)));
        } catch (ConfigFileReader.UnreadableFileException e) {
            return false;
        }
    }
}
