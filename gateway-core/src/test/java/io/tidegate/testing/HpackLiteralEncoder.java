package io.tidegate.testing;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Encodes a header block using only "literal header field without indexing, new name" with raw
 * (non-Huffman) strings (RFC 7541 section 6.2.2). That representation carries any bytes at all,
 * which is the point: a test can send exactly the name and value it wants, and the server's
 * dynamic table is never touched, so blocks can be encoded independently.
 */
final class HpackLiteralEncoder {
    private HpackLiteralEncoder() {}

    static byte[] encode(List<H2Header> headers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (H2Header header : headers) {
            out.write(0x00); // literal without indexing, name not indexed
            string(out, header.nameBytes());
            string(out, header.valueBytes());
        }
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, byte[] bytes) {
        integer(out, 0x00, 7, bytes.length); // H bit clear: raw octets
        out.write(bytes, 0, bytes.length);
    }

    /** RFC 7541 section 5.1: an integer in an N-bit prefix, continued in 7-bit groups. */
    static void integer(ByteArrayOutputStream out, int firstByteFlags, int prefixBits, int value) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            out.write(firstByteFlags | value);
            return;
        }
        out.write(firstByteFlags | max);
        value -= max;
        while (value >= 0x80) {
            out.write((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }
}
