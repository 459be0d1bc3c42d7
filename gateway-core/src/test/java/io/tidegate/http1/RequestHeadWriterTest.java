package io.tidegate.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestHeadWriterTest {
    private static String text(java.nio.ByteBuffer head) {
        return StandardCharsets.ISO_8859_1.decode(head).toString();
    }

    @Test
    void writesAHeadAndAddsConnectionCloseOnlyWhenAsked() throws Exception {
        RequestHeadWriter writer = new RequestHeadWriter().requestLine("GET", "/a%20b?x=1").field("Host", "h").field("X-V", "caf\u00e9");
        assertEquals("GET /a%20b?x=1 HTTP/1.1\r\nHost: h\r\nX-V: caf\u00e9\r\n\r\n", text(writer.finish(false)));
        assertEquals("GET /a%20b?x=1 HTTP/1.1\r\nHost: h\r\nX-V: caf\u00e9\r\nConnection: close\r\n\r\n", text(writer.finish(true)),
                "the writer can finish again for another try");
    }

    @Test
    void nothingThatCouldEndALineIsWritten() {
        assertThrows(RequestHeadWriter.InvalidRequestException.class,
                () -> new RequestHeadWriter().requestLine("GET", "/x").field("X", "a\r\nInjected: 1"));
        assertThrows(RequestHeadWriter.InvalidRequestException.class,
                () -> new RequestHeadWriter().requestLine("GET", "/x").field("X", "a\nb"));
        assertThrows(RequestHeadWriter.InvalidRequestException.class,
                () -> new RequestHeadWriter().requestLine("GET", "/x").field("X", "a\u0000b"));
        assertThrows(RequestHeadWriter.InvalidRequestException.class,
                () -> new RequestHeadWriter().requestLine("GET", "/x").field("X: y\r\nZ", "v"));
        assertThrows(RequestHeadWriter.InvalidRequestException.class,
                () -> new RequestHeadWriter().requestLine("GET", "/x").field("X", "\u0100 is not one byte"));
        assertThrows(RequestHeadWriter.InvalidRequestException.class,
                () -> new RequestHeadWriter().requestLine("GET", "/x HTTP/1.1\r\nHost: y\r\n\r\nGET /admin"));
        assertThrows(RequestHeadWriter.InvalidRequestException.class, () -> new RequestHeadWriter().requestLine("GET /x", "/"));
        assertThrows(RequestHeadWriter.InvalidRequestException.class, () -> new RequestHeadWriter().requestLine("GET", "/x#frag"));
    }
}
