package io.tidegate.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.H2Header;
import io.tidegate.testing.RawH2Client;
import io.tidegate.testing.RawHttp;
import io.tidegate.testing.RawUpstream;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestText;
import io.tidegate.testing.TlsH2Listener;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request bodies that break off or cannot be framed: the upstream must never be handed a request
 * that looks complete when the client's was not (a chunked body closed with the gateway's own
 * final chunk, or a connection kept as if nothing happened). What the upstream may see is the
 * head and part of the body, then its connection closed.
 */
class RequestBodyAttacksTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private RawUpstream upstream;
    private TestGateway gw;

    @BeforeEach
    void start() {
        upstream = RawUpstream.start(RawUpstream.answering(RawUpstream.OK));
        gw = TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }, %s]
                routes:
                  - { id: all, uri: "/*", upstream: { nodes: { "%s": 1 }, retries: 0 } }
                """.formatted(TlsH2Listener.listenerYaml(), upstream.address()));
    }

    @AfterEach
    void stop() {
        gw.close();
        upstream.close();
    }

    private int h2Port() {
        return gw.gateway().listenerAddresses().get(1).getPort();
    }

    /** The upstream closed every connection it got, and none of them carried a complete request. */
    private void assertNoCompleteRequestReachedTheUpstream() {
        assertTrue(upstream.awaitAllClosed(WAIT),
                "every upstream connection that carried part of the request is closed:\n" + upstream.describe());
        for (RawUpstream.Connection connection : upstream.connections()) {
            assertEquals(List.of(), connection.completeRequests(),
                    "the upstream must not receive a complete request:\n" + upstream.describe());
        }
    }

    @Test
    void aWholeChunkedUploadArrivesComplete() {
        // the control for the attacks below: the same route passes a sound body on in full
        String response = RawHttp.send(gw.port(), "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 3000);
        assertEquals(200, RawHttp.status(response), response);
        List<String> requests = upstream.connections().get(0).completeRequests();
        assertEquals(1, requests.size(), upstream.describe());
        assertTrue(requests.get(0).endsWith("hello\r\n0\r\n\r\n"), TestText.visible(requests.get(0), 2000));
    }

    @Test
    void anOverflowingChunkSizeNeverBecomesACompleteRequestUpstream() {
        String response = RawHttp.send(gw.port(), "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "ffffffffffffffff1\r\nabc\r\n0\r\n\r\n", 3000);
        // Undertow's chunk parser closes the client connection itself on a malformed size, so the
        // client may see the connection closed rather than the gateway's 400
        int status = RawHttp.status(response);
        assertTrue(status == 400 || status == -1 && response.isEmpty(),
                "a 400 or the connection closed, got: '" + response + "'; the upstream saw:\n" + upstream.describe());
        assertNoCompleteRequestReachedTheUpstream();
    }

    @Test
    void aClientResetInTheMiddleOfAChunkNeverBecomesACompleteRequest() throws Exception {
        try (Socket client = new Socket("127.0.0.1", gw.port())) {
            client.getOutputStream().write(("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "10\r\nhalf").getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            assertTrue(upstream.awaitRequestHeads(1, WAIT), "the request head goes upstream before the body is complete");
            client.setSoLinger(true, 0); // close with a TCP reset
        }
        assertNoCompleteRequestReachedTheUpstream();
    }

    @Test
    void aContentLengthBodyCutShortByTheClientNeverBecomesACompleteRequest() throws Exception {
        try (Socket client = new Socket("127.0.0.1", gw.port())) {
            client.getOutputStream().write(("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
                    + "only ten b").getBytes(StandardCharsets.US_ASCII));
            client.getOutputStream().flush();
            assertTrue(upstream.awaitRequestHeads(1, WAIT), "the request head goes upstream before the body is complete");
            client.shutdownOutput(); // the client is done: 10 of 100 bytes
            drain(client.getInputStream());
        }
        assertNoCompleteRequestReachedTheUpstream();
        String received = upstream.connections().get(0).receivedText();
        assertTrue(received.endsWith("\r\n\r\nonly ten b"), "the upstream saw the head and the 10 bytes, then the close:\n"
                + TestText.visible(received, 2000));
    }

    @Test
    void anHttp2StreamResetInTheMiddleOfItsBodyNeverBecomesACompleteRequest() throws Exception {
        resetMidBody(new H2Header("content-length", "100"));
    }

    @Test
    void anHttp2StreamOfUndeclaredLengthResetMidBodyNeverGetsAFinalChunk() throws Exception {
        resetMidBody(); // no content-length: the gateway frames it chunked upstream
    }

    private void resetMidBody(H2Header... length) throws IOException {
        try (RawH2Client client = RawH2Client.connect(h2Port(), TlsH2Listener.clientContext())) {
            List<H2Header> headers = H2Header.request("POST", "/up");
            headers.addAll(List.of(length));
            int stream = client.headers(headers, false);
            client.data(stream, "only ten b".getBytes(StandardCharsets.US_ASCII), false);
            assertTrue(upstream.awaitRequestHeads(1, WAIT), "the request head goes upstream before the body is complete");
            client.reset(stream, 0x8); // CANCEL
            assertNoCompleteRequestReachedTheUpstream();
            assertEquals(200, client.get("/after", WAIT).status(), "the connection goes on serving");
        }
    }

    private static void drain(InputStream in) {
        try {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            // reset: over either way
        }
    }
}
