package io.tidegate.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP/2 header field as it goes on the wire. Name and value are taken as ISO-8859-1, so a
 * test can put any byte in them (CR, LF, NUL, uppercase letters): nothing is checked or folded.
 */
public record H2Header(String name, String value) {
    public byte[] nameBytes() {
        return name.getBytes(StandardCharsets.ISO_8859_1);
    }

    public byte[] valueBytes() {
        return value.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The pseudo-headers of a request to {@code path} on an https listener. */
    public static List<H2Header> request(String method, String path) {
        List<H2Header> headers = new ArrayList<>();
        headers.add(new H2Header(":method", method));
        headers.add(new H2Header(":scheme", "https"));
        headers.add(new H2Header(":authority", "localhost"));
        headers.add(new H2Header(":path", path));
        return headers;
    }

    /** A GET of {@code path} with {@code extra} fields after the pseudo-headers. */
    public static List<H2Header> get(String path, H2Header... extra) {
        List<H2Header> headers = request("GET", path);
        headers.addAll(List.of(extra));
        return headers;
    }
}
