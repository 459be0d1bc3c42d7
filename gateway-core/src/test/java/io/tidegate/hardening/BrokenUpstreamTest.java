package io.tidegate.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.RawHttp;
import io.tidegate.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Upstreams that misbehave on the wire: the client never mistakes a broken answer for a whole one. */
class BrokenUpstreamTest {
    /** An upstream that reads one request head, writes {@code answer} and closes the connection. */
    private static ServerSocket upstream(String answer) throws IOException {
        return upstream(answer, 0);
    }

    /** As {@link #upstream(String)}, but keeps the connection open and silent for {@code stallMillis} first. */
    private static ServerSocket upstream(String answer, long stallMillis) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                    InputStream in = socket.getInputStream();
                    int matched = 0;
                    while (matched < 4) {
                        int c = in.read();
                        if (c < 0) {
                            break;
                        }
                        matched = (c == '\r' || c == '\n') && "\r\n\r\n".charAt(matched) == c ? matched + 1 : 0;
                    }
                    OutputStream out = socket.getOutputStream();
                    out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    Thread.sleep(stallMillis);
                } catch (IOException | InterruptedException e) {
                    // closed
                }
            }
        });
        thread.setDaemon(true);
        thread.start();
        return server;
    }

    private static TestGateway gatewayTo(ServerSocket upstream) {
        return TestGateway.start("""
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "127.0.0.1:%d": 1 }, retries: 0 } }
                """.formatted(upstream.getLocalPort()));
    }

    @Test
    void aChunkedBodyCutShortIsNotPresentedAsComplete() throws IOException {
        try (ServerSocket server = upstream("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
             TestGateway gw = gatewayTo(server)) {
            String response = RawHttp.send(gw.port(), "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 3000);
            assertEquals(200, RawHttp.status(response), response);
            assertTrue(response.contains("hello"), response);
            assertFalse(response.endsWith("0\r\n\r\n"), "no final chunk: the client must see the body as cut off\n" + response);
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthEndsTheConnection() throws IOException {
        try (ServerSocket server = upstream("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
             TestGateway gw = gatewayTo(server)) {
            String response = RawHttp.send(gw.port(), "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 3000);
            assertEquals(200, RawHttp.status(response));
            String body = response.substring(response.indexOf("\r\n\r\n") + 4);
            assertTrue(body.length() < 100, "the client got " + body.length() + " of 100 bytes and then the close");
        }
    }

    @Test
    void anUpstreamThatStopsSendingItsBodyIsCutOffAfterTheReadTimeout() throws IOException {
        try (ServerSocket server = upstream("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst bytes", 10_000);
             TestGateway gw = TestGateway.start("""
                     routes:
                       - { id: 1, uri: "/*", timeout: { connect: 1, send: 1, read: 1 }, upstream: { nodes: { "127.0.0.1:%d": 1 } } }
                     """.formatted(server.getLocalPort()))) {
            long start = System.nanoTime();
            String response = RawHttp.send(gw.port(), "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", 6000);
            long took = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, RawHttp.status(response));
            assertTrue(response.endsWith("first bytes"), response);
            // read: 1 s, noticed by a sweep every 250 ms
            assertTrue(took >= 900 && took < 4000, "cut off after " + took + " ms (read timeout 1 s)");
        }
    }

    @Test
    void aResponseThatIsNotHttpIs502() throws IOException {
        try (ServerSocket server = upstream("SSH-2.0-OpenSSH_9.2\r\n");
             TestGateway gw = gatewayTo(server)) {
            String response = RawHttp.send(gw.port(), "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3000);
            assertEquals(502, RawHttp.status(response), response);
        }
    }

    @Test
    void anUpstreamThatClosesWithoutAnsweringIs502() throws IOException {
        try (ServerSocket server = upstream("");
             TestGateway gw = gatewayTo(server)) {
            String response = RawHttp.send(gw.port(), "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3000);
            assertEquals(502, RawHttp.status(response), response);
        }
    }
}
