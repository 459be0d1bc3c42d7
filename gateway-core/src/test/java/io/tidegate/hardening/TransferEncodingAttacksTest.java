package io.tidegate.hardening;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.testing.LogCapture;
import io.tidegate.testing.RawHttp;
import io.tidegate.testing.RawUpstream;
import io.tidegate.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request transfer codings other than chunked: the gateway cannot frame such a body for the
 * upstream (nor can it know where it ends), so it answers 501 (RFC 9112 section 6.1), closes the
 * connection and forwards nothing, as an expected refusal, not an internal error.
 */
class TransferEncodingAttacksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RawUpstream upstream;
    private static TestGateway gw;

    @BeforeAll
    static void start() {
        upstream = RawUpstream.start(RawUpstream.answering(RawUpstream.OK));
        gw = TestGateway.start("""
                routes:
                  - { id: all, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()));
    }

    @AfterAll
    static void stop() {
        gw.close();
        upstream.close();
    }

    /** What came back, and whether the gateway closed the connection within 3 s. */
    private record Reply(String text, boolean closed) {}

    private static Reply exchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gw.port())) {
            socket.setSoTimeout(3000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            boolean closed = true;
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (IOException e) {
                // reset after the answer: closed as well
            }
            return new Reply(out.toString(StandardCharsets.ISO_8859_1), closed);
        }
    }

    private static boolean isJsonError(String body) {
        try {
            return JSON.readTree(body).path("error_msg").isTextual();
        } catch (IOException e) {
            return false;
        }
    }

    @ParameterizedTest(name = "Transfer-Encoding: {0}")
    @ValueSource(strings = {"gzip", "identity", "gzip, chunked"})
    void anUnsupportedTransferCodingIs501AndNothingIsForwarded(String coding) throws Exception {
        String upload = coding.endsWith("chunked") ? "3\r\nabc\r\n0\r\n\r\n" : "abc";
        RawUpstream.Mark mark = upstream.mark();
        try (LogCapture log = new LogCapture()) {
            Reply reply = exchange("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding + "\r\n\r\n" + upload);
            String response = reply.text();
            Thread.sleep(200); // room for anything still on its way upstream
            String forwarded = upstream.receivedSince(mark);
            int headEnd = response.indexOf("\r\n\r\n");
            String head = headEnd < 0 ? "" : response.substring(0, headEnd).toLowerCase(Locale.ROOT);
            String body = headEnd < 0 ? "" : response.substring(headEnd + 4);
            assertAll(
                    () -> assertEquals(501, RawHttp.status(response), response),
                    () -> assertEquals("", forwarded, "nothing is forwarded"),
                    () -> assertTrue(reply.closed(), "the gateway closes the connection after its answer"),
                    () -> assertTrue(head.contains("\r\nconnection: close"), "Connection: close in " + response),
                    () -> assertTrue(head.contains("\r\ncontent-type: application/json"), "JSON in " + response),
                    () -> assertTrue(isJsonError(body), "an error_msg body in " + response),
                    () -> assertEquals(List.of(), log.withStackTraces().stream().filter(line -> line.startsWith("ERROR")).toList(),
                            "a refused request is not an error with a stack trace"));
        }
    }
}
