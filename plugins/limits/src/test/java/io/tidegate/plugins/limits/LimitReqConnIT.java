package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** limit-req and limit-conn through the real gateway: delays are real waits, releases real. */
class LimitReqConnIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");
    @RegisterExtension
    static final UpstreamServer slow = new UpstreamServer("slow").delay(300);

    @Test
    void limitReqDelaysTheBurstAndRejectsBeyondIt() {
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - { id: 1, uri: /req, plugins: { limit-req: { rate: 2, burst: 1, rejected_code: 429 } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()))) {
            assertEquals(200, gw.get("/req").statusCode());
            CompletableFuture<Long> delayed = CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                assertEquals(200, gw.get("/req").statusCode());
                return (System.nanoTime() - start) / 1_000_000;
            });
            try {
                Thread.sleep(50);
                assertEquals(429, gw.get("/req").statusCode(), "the burst slot is taken");
                long waited = delayed.get();
                assertTrue(waited >= 400, "the burst request was slowed to the rate: " + waited + " ms");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void limitConnCapsRequestsInProgressAndFreesThemWhenDone() throws Exception {
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - { id: 1, uri: "/*", plugins: { limit-conn: { conn: 2, burst: 0, default_conn_delay: 0.1, rejected_code: 503 } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(slow.address()))) {
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                inFlight.add(CompletableFuture.supplyAsync(() -> gw.get("/slow")));
            }
            Thread.sleep(150); // both are now waiting on the 300 ms upstream
            assertEquals(503, gw.get("/third").statusCode());
            for (CompletableFuture<HttpResponse<String>> request : inFlight) {
                assertEquals(200, request.get().statusCode());
            }
            assertEquals(200, gw.get("/after").statusCode(), "finished requests were released in the log phase");
        }
    }

    @Test
    void aClientThatHangsUpMidRequestIsReleasedToo() throws Exception {
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - { id: 1, uri: "/*", plugins: { limit-conn: { conn: 1, burst: 0, default_conn_delay: 0.1, rejected_code: 503 } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(slow.address()))) {
            try (Socket client = new Socket("127.0.0.1", gw.port())) {
                client.getOutputStream().write(
                        "GET /abandoned HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                Thread.sleep(100); // the request is now in progress, waiting on the 300 ms upstream
                assertEquals(503, gw.get("/while-held").statusCode(), "the only slot is taken");
            }
            // The hung-up request must give its slot back; a leak would answer 503 for good.
            int status = 503;
            for (int attempt = 0; attempt < 20 && status == 503; attempt++) {
                Thread.sleep(100);
                status = gw.get("/after").statusCode();
            }
            assertEquals(200, status, "the abandoned request's slot was released");
        }
    }

    /**
     * A client that closes after each answer and sends its next request as soon as it sees the
     * close (as APISIX's limit-conn.t TEST 33 does) is never limited by its own previous request:
     * the slot is released before the gateway closes the connection, as nginx's log phase is.
     */
    @Test
    void sequentialRequestsOnClosingConnectionsAreNeverLimitedByTheOneBefore() throws Exception {
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - { id: 1, uri: "/*", plugins: { limit-conn: { conn: 1, burst: 0, default_conn_delay: 0.3, rejected_code: 503, key: remote_addr } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()))) {
            for (int i = 0; i < 300; i++) {
                try (Socket client = new Socket("127.0.0.1", gw.port())) {
                    client.getOutputStream().write(
                            "GET /next HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    assertTrue(answer.startsWith("HTTP/1.1 200 "), "request " + i + ": " + answer);
                }
            }
        }
    }
}
