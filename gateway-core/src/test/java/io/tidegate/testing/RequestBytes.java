package io.tidegate.testing;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Where an HTTP/1.1 request held in a byte array ends, by the framing its own head declares:
 * {@code Content-Length} bytes after the head, or chunked up to the last chunk and the trailer
 * section's empty line. A malformed chunked body never ends: an upstream could not tell that the
 * request was complete either.
 */
final class RequestBytes {
    static final int INCOMPLETE = -1;

    private RequestBytes() {}

    /** The index just past the head's empty line, or {@link #INCOMPLETE}. */
    static int headEnd(byte[] bytes, int from, int to) {
        int crlf = indexOf(bytes, from, to, "\r\n\r\n");
        return crlf < 0 ? INCOMPLETE : crlf + 4;
    }

    /** The index just past the whole request starting at {@code from}, or {@link #INCOMPLETE}. */
    static int requestEnd(byte[] bytes, int from, int to) {
        int bodyStart = headEnd(bytes, from, to);
        if (bodyStart < 0) {
            return INCOMPLETE;
        }
        String head = new String(bytes, from, bodyStart - from, StandardCharsets.ISO_8859_1);
        String transferEncoding = field(head, "transfer-encoding");
        if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return chunkedEnd(bytes, bodyStart, to);
        }
        String contentLength = field(head, "content-length");
        if (contentLength != null) {
            long length;
            try {
                length = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                return INCOMPLETE; // no upstream could frame it
            }
            return bodyStart + length <= to ? (int) (bodyStart + length) : INCOMPLETE;
        }
        return bodyStart;
    }

    /** The value of the first field named {@code name} (case-insensitive) in a request head, or null. */
    static String field(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static int chunkedEnd(byte[] bytes, int at, int to) {
        int pos = at;
        while (true) {
            int lineEnd = indexOf(bytes, pos, to, "\r\n");
            if (lineEnd < 0) {
                return INCOMPLETE;
            }
            String sizeText = new String(bytes, pos, lineEnd - pos, StandardCharsets.ISO_8859_1);
            int semicolon = sizeText.indexOf(';');
            long size = chunkSize(semicolon < 0 ? sizeText : sizeText.substring(0, semicolon));
            if (size < 0) {
                return INCOMPLETE; // malformed: never a complete request
            }
            pos = lineEnd + 2;
            if (size == 0) {
                return trailersEnd(bytes, pos, to);
            }
            long dataEnd = pos + size;
            if (dataEnd + 2 > to) {
                return INCOMPLETE;
            }
            if (bytes[(int) dataEnd] != '\r' || bytes[(int) dataEnd + 1] != '\n') {
                return INCOMPLETE;
            }
            pos = (int) dataEnd + 2;
        }
    }

    private static int trailersEnd(byte[] bytes, int pos, int to) {
        while (true) {
            int lineEnd = indexOf(bytes, pos, to, "\r\n");
            if (lineEnd < 0) {
                return INCOMPLETE;
            }
            if (lineEnd == pos) {
                return pos + 2;
            }
            pos = lineEnd + 2;
        }
    }

    /** A chunk size in hex, or -1 when it is not one (empty, not hex, or too large to be real). */
    private static long chunkSize(String text) {
        String hex = text.trim();
        if (hex.isEmpty() || hex.length() > 15) {
            return -1;
        }
        try {
            return Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static int indexOf(byte[] bytes, int from, int to, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = Math.max(0, from); i <= to - n.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (bytes[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
