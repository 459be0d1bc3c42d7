package io.tidegate.plugins.compression;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;

/** What a client decodes from a compressed body, with the reference decoders (brotli4j's, zstd-jni's, the JDK's). */
final class Decoded {
    static {
        Brotli4jLoader.ensureAvailability();
    }

    private Decoded() {}

    static byte[] brotli(byte[] body) {
        return readAll(() -> new BrotliInputStream(new ByteArrayInputStream(body)));
    }

    static byte[] zstd(byte[] body) {
        return readAll(() -> new ZstdInputStream(new ByteArrayInputStream(body)));
    }

    static byte[] gzip(byte[] body) {
        return readAll(() -> new GZIPInputStream(new ByteArrayInputStream(body)));
    }

    /** The body as the client reads it: decoded by its Content-Encoding, as is without one. */
    static byte[] by(String contentEncoding, byte[] body) {
        if (contentEncoding == null) {
            return body;
        }
        return switch (contentEncoding) {
            case "br" -> brotli(body);
            case "zstd" -> zstd(body);
            case "gzip" -> gzip(body);
            default -> throw new AssertionError("unexpected Content-Encoding " + contentEncoding);
        };
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    private static byte[] readAll(Opener opener) {
        try (InputStream in = opener.open()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
