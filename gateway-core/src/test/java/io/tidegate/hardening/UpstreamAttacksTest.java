package io.tidegate.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.RawHttp;
import io.tidegate.testing.RawUpstream;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Upstreams that answer with heads no proxy should take at face value: enormous, endless, with
 * interim responses before the real one, or with a body length that can be read two ways. The
 * client gets the real response or a quick 502, never a guess, and the gateway keeps serving.
 */
class UpstreamAttacksTest {
    private static final String BAD_GATEWAY = "{\"error_msg\":\"502 Bad Gateway\"}\n";
    private static final String GET = "GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

    /** A gateway with {@code limits}, {@code /x} on {@code upstream} and {@code /ok} on {@code healthy}, read timeout 30 s. */
    private static TestGateway gateway(String limits, RawUpstream upstream, RawUpstream healthy) {
        return TestGateway.startWithLimits(limits, """
                routes:
                  - { id: x, uri: /x, upstream: { nodes: { "%s": 1 }, retries: 0, timeout: { connect: 5, send: 30, read: 30 } } }
                  - { id: ok, uri: /ok, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address(), healthy.address()));
    }

    /** One request on a fresh connection; the raw response and how long it took. */
    private record Timed(String response, long millis) {
        int status() {
            return RawHttp.status(response);
        }

        String body() {
            int end = response.indexOf("\r\n\r\n");
            return end < 0 ? "" : response.substring(end + 4);
        }
    }

    private static Timed request(TestGateway gw, String request, int quietMillis) {
        long start = System.nanoTime();
        String response = RawHttp.send(gw.port(), request, quietMillis);
        return new Timed(response, (System.nanoTime() - start) / 1_000_000);
    }

    /** Answers the first request with a head holding one field of {@code valueBytes} bytes, written in 64 KiB pieces. */
    private static RawUpstream.Script headOf(long valueBytes) {
        return connection -> {
            if (connection.readRequest() == null) {
                return;
            }
            connection.write("HTTP/1.1 200 OK\r\nX-Big: ");
            byte[] piece = new byte[64 * 1024];
            Arrays.fill(piece, (byte) 'a');
            for (long sent = 0; sent < valueBytes; sent += piece.length) {
                connection.write(Arrays.copyOf(piece, (int) Math.min(piece.length, valueBytes - sent)));
            }
            connection.write("\r\nContent-Length: 2\r\n\r\nok");
        };
    }

    /** Answers with a status line and then one header line every 50 ms, never ending the head. */
    private static RawUpstream.Script drippedHead() {
        return connection -> {
            if (connection.readRequest() == null) {
                return;
            }
            connection.write("HTTP/1.1 200 OK\r\n");
            for (int line = 0; ; line++) {
                connection.write("X-Drip-" + line + ": v\r\n");
                if (!connection.quiet(50)) {
                    return;
                }
            }
        };
    }

    private static RawUpstream ok() {
        return RawUpstream.start(RawUpstream.answering(RawUpstream.OK));
    }

    // ---- heads that never end or never fit -----------------------------------------------------

    @Test
    void aOneMebibyteHeadIsA502Quickly() {
        try (RawUpstream upstream = RawUpstream.start(headOf(1 << 20)); RawUpstream healthy = ok();
             TestGateway gw = gateway("{}", upstream, healthy)) {
            Timed answer = request(gw, GET, 10_000);
            assertEquals(502, answer.status(), TestText.visible(answer.response(), 500));
            assertEquals(BAD_GATEWAY, answer.body());
            assertTrue(answer.millis() < 3000, "502 after " + answer.millis() + " ms (read timeout 30 s)");
        }
    }

    @Test
    void hundredMegabyteHeadsFourAtOnceAre502sAndTheGatewayGoesOn() throws Exception {
        try (RawUpstream upstream = RawUpstream.start(headOf(100_000_000)); RawUpstream healthy = ok();
             TestGateway gw = gateway("{}", upstream, healthy)) {
            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                List<Future<Timed>> answers = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    answers.add(clients.submit(() -> request(gw, GET, 15_000)));
                }
                for (Future<Timed> future : answers) {
                    Timed answer = future.get();
                    assertEquals(502, answer.status(), TestText.visible(answer.response(), 500));
                    assertTrue(answer.millis() < 5000, "502 after " + answer.millis() + " ms");
                }
            } finally {
                clients.shutdownNow();
            }
            Timed normal = request(gw, "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1000);
            assertEquals(200, normal.status(), normal.response());
            assertTrue(normal.millis() < 1000, "served in " + normal.millis() + " ms");
        }
    }

    @Test
    void endlesslyDrippedHeaderLinesAreA502OnceTheLineLimitPasses() {
        try (RawUpstream upstream = RawUpstream.start(drippedHead()); RawUpstream healthy = ok();
             TestGateway gw = gateway("{}", upstream, healthy)) {
            Timed answer = request(gw, GET, 10_000);
            assertEquals(502, answer.status(), "after " + answer.millis() + " ms: " + answer.response());
            // 100 lines at one per 50 ms take 5 s; the read timeout is 30 s
            assertTrue(answer.millis() >= 3000 && answer.millis() < 10_000, "502 after " + answer.millis() + " ms");
        }
    }

    @Test
    void upstreamMaxHeadersIsTheLineLimit() {
        try (RawUpstream upstream = RawUpstream.start(drippedHead()); RawUpstream healthy = ok();
             TestGateway gw = gateway("{ upstream_max_headers: 10 }", upstream, healthy)) {
            Timed answer = request(gw, GET, 5000);
            assertEquals(502, answer.status(), "after " + answer.millis() + " ms: " + answer.response());
            assertTrue(answer.millis() < 2000, "502 after " + answer.millis() + " ms (10 lines at 50 ms)");
        }
    }

    @Test
    void upstreamMaxHeadSizeIsTheHeadLimit() {
        try (RawUpstream fits = RawUpstream.start(headOf(3000)); RawUpstream tooBig = RawUpstream.start(headOf(6000));
             RawUpstream healthy = ok();
             TestGateway small = gateway("{ upstream_max_head_size: 4k }", fits, healthy);
             TestGateway big = gateway("{ upstream_max_head_size: 4k }", tooBig, healthy)) {
            Timed within = request(small, GET, 5000);
            assertEquals(200, within.status(), TestText.visible(within.response(), 500));
            assertEquals("ok", within.body());
            Timed over = request(big, GET, 5000);
            assertEquals(502, over.status(), TestText.visible(over.response(), 500));
            assertEquals(BAD_GATEWAY, over.body());
        }
    }

    // ---- interim responses and body lengths ------------------------------------------------------

    @Test
    void anEarlyHintsResponseIsDroppedAndTheRealOneServed() {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answering(
                "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
             RawUpstream healthy = ok();
             TestGateway gw = gateway("{}", upstream, healthy)) {
            Timed answer = request(gw, GET, 3000);
            assertEquals(200, answer.status(), answer.response());
            assertEquals("hello", answer.body());
            assertFalse(answer.response().contains("103"), answer.response());
        }
    }

    @Test
    void theUpstreamsReasonPhraseReachesTheClient() {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answering(
                "HTTP/1.1 299 Quite Fine\r\nContent-Length: 2\r\n\r\nok"));
             RawUpstream healthy = ok();
             TestGateway gw = gateway("{}", upstream, healthy)) {
            Timed custom = request(gw, GET, 3000);
            assertTrue(custom.response().startsWith("HTTP/1.1 299 Quite Fine\r\n"), custom.response());
            Timed standard = request(gw, "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3000);
            assertTrue(standard.response().startsWith("HTTP/1.1 200 OK\r\n"), standard.response());
        }
    }

    @Test
    void twoDifferentContentLengthsAreA502() {
        assertBadGateway("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
    }

    @Test
    void contentLengthBesideTransferEncodingIsA502() {
        assertBadGateway("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    }

    private static void assertBadGateway(String upstreamAnswer) {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answering(upstreamAnswer)); RawUpstream healthy = ok();
             TestGateway gw = gateway("{}", upstream, healthy)) {
            Timed answer = request(gw, GET, 3000);
            assertEquals(502, answer.status(), answer.response());
            assertEquals(BAD_GATEWAY, answer.body());
        }
    }

    @Test
    void twoEqualContentLengthsAreOneContentLength() {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answering(
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"));
             RawUpstream healthy = ok();
             TestGateway gw = gateway("{}", upstream, healthy)) {
            Timed answer = request(gw, GET, 3000);
            assertEquals(200, answer.status(), answer.response());
            assertEquals("hello", answer.body());
            Matcher lengths = Pattern.compile("(?im)^content-length:").matcher(answer.response());
            int count = 0;
            while (lengths.find()) {
                count++;
            }
            assertEquals(1, count, "one Content-Length reaches the client:\n" + answer.response());
        }
    }
}
