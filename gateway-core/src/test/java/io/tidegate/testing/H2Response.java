package io.tidegate.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * How one HTTP/2 stream ended, as the client saw it: a response (status, headers, body), a
 * RST_STREAM from the server with its error code, or the connection going away underneath it.
 *
 * @param status         the {@code :status} of the final response, or -1 when none came
 * @param headers        the response fields by lowercase name (pseudo-headers included)
 * @param body           the DATA received on the stream
 * @param resetCode      the server's RST_STREAM error code, or -1 when it did not reset the stream
 * @param connectionLost the connection ended (or the server sent GOAWAY past this stream) before the stream did
 * @param headerBlocks   how many header blocks came: 1 for a head alone (a gRPC trailers-only answer when it
 *                       ended the stream), 2 for a head and trailers
 */
public record H2Response(int status, Map<String, List<String>> headers, byte[] body, long resetCode, boolean connectionLost,
                         int headerBlocks) {
    public static final long NO_ERROR = 0x0;
    public static final long PROTOCOL_ERROR = 0x1;
    public static final long INTERNAL_ERROR = 0x2;
    public static final long REFUSED_STREAM = 0x7;
    public static final long CANCEL = 0x8;
    public static final long ENHANCE_YOUR_CALM = 0xb;

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public boolean wasReset() {
        return resetCode >= 0;
    }

    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String toString() {
        if (resetCode >= 0) {
            return "RST_STREAM(0x" + Long.toHexString(resetCode) + ")";
        }
        if (status < 0) {
            return connectionLost ? "no response: connection lost" : "no response";
        }
        return status + " " + headers + " " + bodyText();
    }
}
