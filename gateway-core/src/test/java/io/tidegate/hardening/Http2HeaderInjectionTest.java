package io.tidegate.hardening;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tidegate.testing.H2Header;
import io.tidegate.testing.H2Response;
import io.tidegate.testing.RawH2Client;
import io.tidegate.testing.RawUpstream;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TlsH2Listener;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP/2 requests whose fields HTTP/2 forbids (RFC 9113 sections 8.2.1 and 8.2.2): a CR or LF in a
 * value would become a header or a whole request of its own once the gateway writes HTTP/1.1
 * upstream. Each must end as a stream error (RST_STREAM PROTOCOL_ERROR) with nothing sent
 * upstream, and the connection must go on serving.
 */
class Http2HeaderInjectionTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static RawUpstream upstream;
    private static TestGateway gw;

    @BeforeAll
    static void start() {
        upstream = RawUpstream.start(RawUpstream.answering(RawUpstream.OK));
        gw = TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [%s]
                routes:
                  - { id: all, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                """.formatted(TlsH2Listener.listenerYaml(), upstream.address()));
    }

    @AfterAll
    static void stop() {
        gw.close();
        upstream.close();
    }

    static Stream<Arguments> forbiddenFields() {
        return Stream.of(
                Arguments.of("CR LF smuggling a second request", new H2Header("x-note",
                        "a\r\nContent-Length: 0\r\n\r\nGET /admin/x HTTP/1.1\r\nHost: x\r\nX-Consumer-Username: alice")),
                Arguments.of("bare LF in a value", new H2Header("x-note", "a\nX-Consumer-Username: alice")),
                Arguments.of("bare CR in a value", new H2Header("x-note", "a\rb")),
                Arguments.of("NUL in a value", new H2Header("x-note", "a\0b")),
                Arguments.of("uppercase name", new H2Header("X-Note", "a")),
                Arguments.of("space in a name", new H2Header("x note", "a")),
                Arguments.of("colon inside a name", new H2Header("x:note", "a")),
                Arguments.of("connection", new H2Header("connection", "close")),
                Arguments.of("keep-alive", new H2Header("keep-alive", "timeout=5")),
                Arguments.of("proxy-connection", new H2Header("proxy-connection", "keep-alive")),
                Arguments.of("upgrade", new H2Header("upgrade", "websocket")),
                Arguments.of("te other than trailers", new H2Header("te", "gzip")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forbiddenFields")
    void aForbiddenFieldIsAStreamErrorAndNothingGoesUpstream(String what, H2Header field) throws Exception {
        try (RawH2Client client = RawH2Client.connect(gw.port(), TlsH2Listener.clientContext())) {
            RawUpstream.Mark mark = upstream.mark();
            H2Response refused = client.await(client.request(H2Header.get("/public/x", field), null), WAIT);
            Thread.sleep(200); // room for a request that would still be on its way upstream
            String reached = upstream.receivedSince(mark);
            RawH2Client.GoAway goAway = client.awaitGoAway(Duration.ZERO);
            assertAll(
                    () -> assertEquals("", reached, "nothing of this request may reach the upstream"),
                    () -> assertEquals(H2Response.PROTOCOL_ERROR, refused.resetCode(),
                            "the stream ends with RST_STREAM(PROTOCOL_ERROR), not " + refused
                                    + (goAway == null ? "" : "; the server sent " + goAway)));
            H2Response next = client.get("/public/ok", WAIT);
            assertEquals(200, next.status(), "a stream error leaves the connection serving: " + next);
            assertFalse(client.isClosed());
        }
    }

    /**
     * Undertow's HPACK reader refuses transfer-encoding before any handler sees the stream, as a
     * connection error (GOAWAY PROTOCOL_ERROR): stricter than the stream error RFC 9113 asks for,
     * and nothing is forwarded, which is what matters.
     */
    @Test
    void transferEncodingEndsTheConnectionAndNothingGoesUpstream() throws Exception {
        try (RawH2Client client = RawH2Client.connect(gw.port(), TlsH2Listener.clientContext())) {
            RawUpstream.Mark mark = upstream.mark();
            H2Response refused = client.await(client.request(H2Header.get("/public/x",
                    new H2Header("transfer-encoding", "chunked")), null), WAIT);
            Thread.sleep(200);
            assertEquals("", upstream.receivedSince(mark), "nothing of this request may reach the upstream");
            RawH2Client.GoAway goAway = client.awaitGoAway(WAIT);
            assertEquals((long) H2Response.PROTOCOL_ERROR, goAway == null ? -1L : goAway.errorCode(),
                    "a connection error of type PROTOCOL_ERROR: " + refused + ", " + goAway);
        }
    }

    @Test
    void teTrailersIsAllowedAndNotForwarded() throws Exception {
        try (RawH2Client client = RawH2Client.connect(gw.port(), TlsH2Listener.clientContext())) {
            RawUpstream.Mark mark = upstream.mark();
            H2Response response = client.await(client.request(
                    H2Header.get("/public/te", new H2Header("te", "trailers"), new H2Header("x-fine", "yes")), null), WAIT);
            assertEquals(200, response.status(), response.toString());
            String reached = upstream.receivedSince(mark);
            assertEquals(true, reached.contains("GET /public/te HTTP/1.1"), reached);
            assertEquals(true, reached.toLowerCase().contains("x-fine: yes"), reached);
            assertFalse(reached.toLowerCase().contains("te: trailers"), "TE is hop-by-hop: " + reached);
        }
    }
}
