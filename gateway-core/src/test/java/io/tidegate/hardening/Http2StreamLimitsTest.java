package io.tidegate.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.Await;
import io.tidegate.testing.H2Header;
import io.tidegate.testing.H2Response;
import io.tidegate.testing.RawH2Client;
import io.tidegate.testing.RawUpstream;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TlsH2Listener;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/2 clients that open more streams than they may, reset them as fast as they open them, or
 * vanish with hundreds in flight: the gateway's streams, its upstream connections and its
 * upstream nodes stay bounded.
 */
class Http2StreamLimitsTest {
    private static final int DEFAULT_STREAM_LIMIT = 128;

    /** A gateway with a TLS h2 listener, {@code limits} (YAML map) and one route to {@code upstream}. */
    private static TestGateway gateway(String limits, String upstreamExtras, RawUpstream upstream) {
        return gateway(limits, upstreamExtras, upstream, false);
    }

    /** With {@code cleartext}, the listener is plain HTTP offering h2c (prior knowledge, as gRPC clients use). */
    private static TestGateway gateway(String limits, String upstreamExtras, RawUpstream upstream, boolean cleartext) {
        String listener = cleartext ? "{ address: \"127.0.0.1:0\", offer_h2: true }" : TlsH2Listener.listenerYaml();
        return TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [%s]
                  limits: %s
                routes:
                  - id: all
                    uri: "/*"
                    upstream: { nodes: { "%s": 1 }%s }
                """.formatted(listener, limits, upstream.address(), upstreamExtras));
    }

    private static RawH2Client connect(TestGateway gw) throws IOException {
        return RawH2Client.connect(gw.port(), TlsH2Listener.clientContext());
    }

    private static RawH2Client connect(TestGateway gw, boolean cleartext) throws IOException {
        return cleartext ? RawH2Client.connectPlain(gw.port()) : connect(gw);
    }

    /** Opens {@code count} GET streams in one burst, as fast as the connection takes them. */
    private static List<Integer> burst(RawH2Client client, int count) throws IOException {
        List<Integer> ids = new ArrayList<>();
        client.batch(() -> {
            for (int i = 0; i < count; i++) {
                ids.add(client.headers(H2Header.get("/slow/" + i), true));
            }
        });
        return ids;
    }

    @Test
    void theServerAdvertisesItsStreamLimit() throws Exception {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answering(RawUpstream.OK))) {
            try (TestGateway gw = gateway("{}", "", upstream); RawH2Client client = connect(gw)) {
                assertEquals(Long.valueOf(DEFAULT_STREAM_LIMIT),
                        client.serverSettings().get(RawH2Client.SETTINGS_MAX_CONCURRENT_STREAMS),
                        "SETTINGS_MAX_CONCURRENT_STREAMS by default; the server's SETTINGS: " + client.serverSettings());
            }
            try (TestGateway gw = gateway("{ h2_max_concurrent_streams: 50 }", "", upstream); RawH2Client client = connect(gw)) {
                assertEquals(Long.valueOf(50), client.serverSettings().get(RawH2Client.SETTINGS_MAX_CONCURRENT_STREAMS),
                        "the configured limit; the server's SETTINGS: " + client.serverSettings());
            }
        }
    }

    @ParameterizedTest(name = "cleartext h2c: {0}")
    @ValueSource(booleans = {false, true})
    void streamsBeyondTheLimitAreRefusedAndNeverReachTheUpstream(boolean cleartext) throws Exception {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answeringAfter(2000, RawUpstream.OK));
             TestGateway gw = gateway("{}", "", upstream, cleartext);
             RawH2Client client = connect(gw, cleartext)) {
            List<Integer> ids = burst(client, 300);
            Map<String, Integer> outcomes = new TreeMap<>();
            int answered = 0;
            int refused = 0;
            for (int id : ids) {
                H2Response response = client.await(id, Duration.ofSeconds(15));
                outcomes.merge(response.wasReset() ? "RST_STREAM 0x" + Long.toHexString(response.resetCode())
                        : "status " + response.status(), 1, Integer::sum);
                if (response.status() == 200) {
                    answered++;
                } else if (response.resetCode() == H2Response.REFUSED_STREAM) {
                    refused++;
                }
            }
            assertTrue(upstream.requestHeads() <= DEFAULT_STREAM_LIMIT,
                    upstream.requestHeads() + " requests reached the upstream from one connection limited to "
                            + DEFAULT_STREAM_LIMIT + " streams; client saw " + outcomes);
            assertEquals(300, answered + refused, "every stream is either served or refused: " + outcomes);
            assertTrue(refused >= 300 - DEFAULT_STREAM_LIMIT, "streams over the limit get REFUSED_STREAM: " + outcomes);
            assertTrue(answered > 0, "streams within the limit are served: " + outcomes);
        }
    }

    @Test
    void aClientThatVanishesWithStreamsInFlightLeavesNoUpstreamConnectionsBehind() throws Exception {
        int idlePool = 8;
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answeringAfter(30_000, RawUpstream.OK));
             TestGateway gw = gateway("{}", ", keepalive_pool: { size: %d }".formatted(idlePool), upstream)) {
            RawH2Client client = connect(gw);
            int inFlight;
            try {
                burst(client, 1000);
                assertTrue(upstream.awaitRequestHeads(100, Duration.ofSeconds(20)),
                        "the streams reach the upstream first (" + upstream.requestHeads() + " did)");
                Thread.sleep(500); // let the burst settle: every stream the gateway takes is upstream by now
                inFlight = upstream.openConnections();
            } finally {
                client.abort();
            }
            boolean released = Await.until(Duration.ofSeconds(5), () -> upstream.openConnections() <= idlePool);
            assertTrue(released, upstream.openConnections() + " upstream connections still open 5 s after the client"
                    + " vanished (" + inFlight + " were in flight; idle pool " + idlePool + ")");
        }
    }

    /** A long body dripped in 16 KB pieces: the gateway is still writing it when the client resets. */
    private static final RawUpstream.Script LONG_DRIPPED_BODY = connection -> {
        while (connection.readRequest() != null) {
            int pieces = 256;
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: " + pieces * 16384 + "\r\n\r\n");
            byte[] piece = new byte[16384];
            for (int i = 0; i < pieces; i++) {
                connection.write(piece);
                if (i % 8 == 0 && !connection.quiet(2)) {
                    return;
                }
            }
        }
    };

    @Test
    void streamsResetWhileTheirBodiesFlowEndCleanly() throws Exception {
        try (RawUpstream upstream = RawUpstream.start(LONG_DRIPPED_BODY);
             TestGateway gw = gateway("{}", "", upstream);
             io.tidegate.testing.LogCapture log = new io.tidegate.testing.LogCapture()) {
            for (int round = 0; round < 5; round++) {
                try (RawH2Client client = connect(gw)) {
                    List<Integer> ids = burst(client, 64);
                    Thread.sleep(150 + round * 40L); // bodies under way
                    client.batch(() -> {
                        for (int id : ids) {
                            client.reset(id, H2Response.CANCEL);
                        }
                    });
                    Thread.sleep(200);
                }
            }
            try (RawH2Client fresh = connect(gw)) {
                H2Response response = fresh.get("/after", Duration.ofSeconds(10));
                assertEquals(200, response.status(), response.toString());
                assertEquals(256 * 16384, response.body().length, "the whole body after the resets");
            }
            assertEquals(List.of(), log.withStackTraces(), "nothing failed inside the gateway while streams were reset");
        }
    }

    @Test
    void rapidResetIsCutOffAndTheGatewayKeepsServing() throws Exception {
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answering(RawUpstream.OK));
             TestGateway gw = gateway("{}", "", upstream)) {
            RawH2Client.GoAway goAway;
            try (RawH2Client attacker = connect(gw)) {
                int sent = 0;
                try {
                    int[] count = {0};
                    attacker.batch(() -> {
                        for (int i = 0; i < 10_000; i++) {
                            int id = attacker.headers(H2Header.get("/reset/" + i), true);
                            attacker.reset(id, H2Response.CANCEL);
                            count[0]++;
                        }
                    });
                    sent = count[0];
                } catch (IOException e) {
                    // the server hung up on the flood: expected
                }
                // the server sends GOAWAY and closes; closing with the flood still unread resets the
                // TCP connection, which may drop the GOAWAY before this client reads it: either ends it
                boolean ended = Await.until(Duration.ofSeconds(15), () -> attacker.awaitGoAway(Duration.ZERO) != null || attacker.isClosed());
                goAway = attacker.awaitGoAway(Duration.ZERO);
                assertTrue(ended, "the server cuts off a client resetting streams as fast as it opens them (sent " + sent
                        + " pairs): no GOAWAY and the connection still open");
            }
            Thread.sleep(1000); // stragglers of the flood reach the upstream by now
            int reached = upstream.requestHeads();
            assertTrue(reached <= 400, reached + " requests of the reset flood reached the upstream (" + goAway + ")");
            try (RawH2Client fresh = connect(gw)) {
                long start = System.nanoTime();
                H2Response response = fresh.get("/after", Duration.ofSeconds(1));
                assertEquals(200, response.status(), response.toString());
                assertTrue(System.nanoTime() - start < 1_000_000_000L, "answered within 1 s");
            }
        }
    }

    @Test
    void upstreamConnectionsPerNodeStayWithinTheLimitAndRequestsWaitForOne() throws Exception {
        int limit = 20;
        try (RawUpstream upstream = RawUpstream.start(RawUpstream.answeringAfter(100, RawUpstream.OK));
             TestGateway gw = gateway("{ upstream_max_connections: %d, h2_max_concurrent_streams: 256 }".formatted(limit),
                     ", timeout: { connect: 20, send: 20, read: 20 }", upstream);
             RawH2Client client = connect(gw)) {
            List<Integer> ids = burst(client, 200);
            Map<String, Integer> outcomes = new TreeMap<>();
            for (int id : ids) {
                H2Response response = client.await(id, Duration.ofSeconds(30));
                outcomes.merge(response.wasReset() ? "RST_STREAM 0x" + Long.toHexString(response.resetCode())
                        : "status " + response.status(), 1, Integer::sum);
            }
            assertTrue(upstream.maxOpenConnections() <= limit, upstream.maxOpenConnections()
                    + " connections were open to the node at once (limit " + limit + ")");
            assertEquals(200, upstream.requestHeads(), "every request reached the node");
            assertEquals(Map.of("status 200", 200), outcomes);
        }
    }
}
