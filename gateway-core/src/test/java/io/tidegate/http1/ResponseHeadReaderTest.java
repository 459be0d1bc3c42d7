package io.tidegate.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.util.HeaderMap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponseHeadReaderTest {
    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static ResponseHead read(String text, HeaderMap fields) throws UpstreamProtocolException {
        ResponseHeadReader reader = new ResponseHeadReader(4096, 10);
        assertTrue(reader.feed(bytes(text)), "a complete head");
        return reader.parse(fields);
    }

    @Test
    void readsStatusReasonAndFieldsAndStopsAtTheBody() throws Exception {
        ResponseHeadReader reader = new ResponseHeadReader(4096, 10);
        ByteBuffer in = bytes("HTTP/1.1 201 Created\r\nContent-Length: 4\r\nX-A:  one \r\nX-A: two\r\n\r\nbody");
        assertTrue(reader.feed(in));
        assertEquals("body", StandardCharsets.US_ASCII.decode(in).toString(), "the buffer is left on the body");
        HeaderMap fields = new HeaderMap();
        ResponseHead head = reader.parse(fields);
        assertEquals(201, head.status());
        assertEquals("Created", head.reason());
        assertTrue(head.http11());
        assertEquals("4", fields.getFirst("content-length"));
        assertEquals(java.util.List.of("one", "two"), java.util.List.copyOf(fields.get("X-A")), "trimmed, repeated kept");
    }

    @Test
    void aHeadSplitAcrossReadsIsCollected() throws Exception {
        ResponseHeadReader reader = new ResponseHeadReader(4096, 10);
        String head = "HTTP/1.0 200 OK\nServer: x\n\n";
        for (int i = 0; i < head.length() - 1; i++) {
            assertFalse(reader.feed(bytes(head.substring(i, i + 1))), "incomplete after " + (i + 1) + " bytes");
        }
        assertTrue(reader.feed(bytes(head.substring(head.length() - 1))));
        ResponseHead parsed = reader.parse(new HeaderMap());
        assertEquals(200, parsed.status());
        assertFalse(parsed.http11(), "bare LF line ends are accepted, HTTP/1.0 noted");
    }

    @Test
    void readersSharingAThreadKeepTheirOwnHalfHeads() throws Exception {
        // one IO thread serves many upstream connections: a head cut between reads must survive
        // other responses read on the thread meanwhile
        ResponseHeadReader first = new ResponseHeadReader(4096, 10);
        ResponseHeadReader second = new ResponseHeadReader(4096, 10);
        assertFalse(first.feed(bytes("HTTP/1.1 200 OK\r\nX-Who: fir")));
        assertFalse(second.feed(bytes("HTTP/1.1 404 Not Found\r\nX-Who: sec")));
        assertEquals(500, read("HTTP/1.1 500 Whole\r\nX-Who: third-party-overwriting-the-scratch\r\n\r\n", new HeaderMap()).status());
        assertTrue(first.feed(bytes("st\r\n\r\n")));
        assertTrue(second.feed(bytes("ond\r\n\r\n")));
        HeaderMap firstFields = new HeaderMap();
        HeaderMap secondFields = new HeaderMap();
        assertEquals(200, first.parse(firstFields).status());
        assertEquals(404, second.parse(secondFields).status());
        assertEquals("first", firstFields.getFirst("X-Who"));
        assertEquals("second", secondFields.getFirst("X-Who"));
    }

    @Test
    void foldedLinesAreJoinedAndSpaceBeforeTheColonIsDropped() throws Exception {
        HeaderMap fields = new HeaderMap();
        read("HTTP/1.1 200 OK\r\nX-Fold: a\r\n  b\r\nX-Space : v\r\n\r\n", fields);
        assertEquals("a b", fields.getFirst("X-Fold"));
        assertEquals("v", fields.getFirst("X-Space"));
    }

    @Test
    void interimHeadsAreRecognised() throws Exception {
        assertTrue(read("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", new HeaderMap()).interim());
        assertFalse(read("HTTP/1.1 101 Switching Protocols\r\n\r\n", new HeaderMap()).interim(), "101 ends the HTTP exchange");
    }

    @Test
    void headsOverTheLimitsAreRefused() {
        ResponseHeadReader small = new ResponseHeadReader(64, 10);
        assertThrows(UpstreamProtocolException.class, () -> small.feed(bytes("HTTP/1.1 200 OK\r\nX: " + "a".repeat(100) + "\r\n\r\n")));
        ResponseHeadReader few = new ResponseHeadReader(4096, 2);
        assertFalse(assertDoesNotThrowFeed(few, "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n"), "two fields are fine");
        assertThrows(UpstreamProtocolException.class, () -> few.feed(bytes("C: 3\r\n")),
                "the third is refused as it arrives, not when the head ends (an upstream may drip lines forever)");
        ResponseHeadReader blanks = new ResponseHeadReader(64, 10);
        assertThrows(UpstreamProtocolException.class, () -> blanks.feed(bytes("\r\n".repeat(100))), "endless empty lines");
    }

    private static boolean assertDoesNotThrowFeed(ResponseHeadReader reader, String text) {
        try {
            return reader.feed(bytes(text));
        } catch (UpstreamProtocolException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void malformedHeadsAreRefused() {
        String[] broken = {
            "HTTP/2 200 OK\r\n\r\n",
            "HTTP/1.1 20 OK\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "HTTP/1.1 099 Low\r\n\r\n",
            "ICY 200 OK\r\n\r\n",
            "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
            "HTTP/1.1 200 OK\r\n: no name\r\n\r\n",
            "HTTP/1.1 200 OK\r\nBad Name: v\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX: a\u0000b\r\n\r\n",
            "HTTP/1.1 200 OK\r\n folded-first: v\r\n\r\n",
        };
        for (String head : broken) {
            ResponseHeadReader reader = new ResponseHeadReader(4096, 10);
            assertThrows(UpstreamProtocolException.class, () -> {
                reader.feed(bytes(head));
                reader.parse(new HeaderMap());
            }, head);
        }
    }
}
