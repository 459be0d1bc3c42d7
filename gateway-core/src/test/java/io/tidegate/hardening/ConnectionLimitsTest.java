package io.tidegate.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** max_connections and body_timeout, with raw sockets that hold connections open or stall. */
class ConnectionLimitsTest {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");

    private static TestGateway gateway(String limits) {
        return TestGateway.startWithLimits(limits, """
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()));
    }

    /** Sends a keep-alive GET and reads its response head; true when one came within {@code millis}. */
    private static boolean answered(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try {
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int n = in.readNBytes(head, 0, 12);
            in.skip(in.available());
            return n == 12 && new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Test
    void atMaxConnectionsTheLongestWaitingConnectionMakesRoomForANewOne() throws Exception {
        try (TestGateway gw = gateway("{ max_connections: 2 }");
             Socket first = new Socket("127.0.0.1", gw.port());
             Socket second = new Socket("127.0.0.1", gw.port())) {
            assertTrue(answered(first, 2000));
            Thread.sleep(50);
            assertTrue(answered(second, 2000));
            try (Socket third = new Socket("127.0.0.1", gw.port())) {
                assertTrue(answered(third, 2000), "a new connection is served at the limit");
                first.setSoTimeout(2000);
                assertEquals(-1, first.getInputStream().read(), "the connection idle the longest was closed for it");
                assertTrue(answered(second, 2000), "the other one is kept");
            }
        }
    }

    @Test
    void atMaxConnectionsANewConnectionIsRefusedWhileAllAreBusy() throws Exception {
        try (TestGateway gw = gateway("{ max_connections: 1 }");
             Socket busy = new Socket("127.0.0.1", gw.port())) {
            // a request whose body is still coming keeps its connection busy
            busy.getOutputStream().write("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"
                    .getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(300);
            try (Socket refused = new Socket("127.0.0.1", gw.port())) {
                refused.setSoTimeout(2000);
                int read;
                try {
                    refused.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    read = refused.getInputStream().read();
                } catch (IOException e) {
                    read = -1; // reset: refused as well
                }
                assertEquals(-1, read, "refused: the only connection has a request in progress");
            }
            busy.getOutputStream().write("defghij".getBytes(StandardCharsets.US_ASCII));
            busy.setSoTimeout(2000);
            byte[] head = busy.getInputStream().readNBytes(12);
            assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.US_ASCII), "the busy one finishes");
        }
    }

    @Test
    void aBodyThatStallsIsCutOffAfterBodyTimeout() throws Exception {
        try (TestGateway gw = gateway("{ body_timeout: 1 }");
             Socket socket = new Socket("127.0.0.1", gw.port())) {
            socket.setSoTimeout(6000);
            socket.getOutputStream().write("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a little"
                    .getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            InputStream in = socket.getInputStream();
            try {
                while (in.read() >= 0) {
                    // whatever is said before the close
                }
            } catch (IOException e) {
                // reset: closed as well
            }
            long closedAfter = (System.nanoTime() - start) / 1_000_000;
            assertTrue(closedAfter >= 800 && closedAfter < 5000, "closed after " + closedAfter + " ms (body_timeout 1 s)");
        }
    }
}
