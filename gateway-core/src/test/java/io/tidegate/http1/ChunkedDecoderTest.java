package io.tidegate.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChunkedDecoderTest {
    /** Decodes {@code wire} fed in pieces of {@code step} bytes; returns the data, or throws. */
    private static String decode(String wire, int step) throws UpstreamProtocolException {
        ChunkedDecoder decoder = new ChunkedDecoder(64);
        StringBuilder out = new StringBuilder();
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        for (int from = 0; from < bytes.length; from += step) {
            ByteBuffer in = ByteBuffer.wrap(bytes, from, Math.min(step, bytes.length - from));
            while (true) {
                long n = decoder.next(in);
                if (n <= 0) {
                    break;
                }
                byte[] data = new byte[(int) n];
                in.get(data);
                decoder.consumed(n);
                out.append(new String(data, StandardCharsets.ISO_8859_1));
            }
        }
        assertTrue(decoder.done(), "the body ended");
        return out.toString();
    }

    @Test
    void decodesChunksExtensionsAndTrailersInAnySplit() throws Exception {
        String wire = "5;name=value\r\nhello\r\n1A\r\n" + "x".repeat(26) + "\r\n0\r\nTrailer: t\r\n\r\n";
        for (int step = 1; step <= wire.length(); step++) {
            assertEquals("hello" + "x".repeat(26), decode(wire, step), "fed " + step + " bytes at a time");
        }
        assertEquals("ab", decode("2\nab\n0\n\n", 3), "bare LF line ends");
    }

    @Test
    void malformedFramingIsRefused() {
        String[] broken = {
            "ffffffffffffffff1\r\n",
            "zz\r\n",
            "\r\n",
            "5\r\nhelloX\r\n0\r\n\r\n",
            "5\rX",
            "5;\u0001\r\n",
            "0\r\nTrailer: " + "t".repeat(100) + "\r\n\r\n",
        };
        for (String wire : broken) {
            assertThrows(UpstreamProtocolException.class, () -> decode(wire, wire.length()), wire);
        }
    }
}
