package io.tidegate.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.ClientAuth;
import io.tidegate.testing.Await;
import io.tidegate.testing.GrpcTestServer;
import io.tidegate.testing.H2Header;
import io.tidegate.testing.H2Response;
import io.tidegate.testing.RawH2Client;
import io.tidegate.testing.TestCertificates;
import io.tidegate.testing.TestGateway;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC through the real gateway: a grpc-java client on an {@code offer_h2} listener (cleartext,
 * prior knowledge), a grpc-java server behind a {@code scheme: grpc} upstream.
 */
class GrpcProxyTest {
    static GrpcTestServer server;
    static TestGateway gateway;
    static ManagedChannel channel;
    /** A node that takes connections and never answers: only the gateway can end a call sent there. */
    static ServerSocket silent;

    @BeforeAll
    static void start() throws Exception {
        server = GrpcTestServer.start();
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        gateway = TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0", offer_h2: true }]
                  metrics: { address: "127.0.0.1:0" }
                routes:
                  - { id: echo, uri: "/test.Echo/*", upstream: { scheme: grpc, nodes: { "127.0.0.1:%d": 1 }, timeout: { connect: 2, send: 10, read: 10 } } }
                  - { id: down, uri: "/down.Echo/*", upstream: { scheme: grpc, nodes: { "127.0.0.1:1": 1 } } }
                  - { id: silent, uri: "/silent.Echo/*", upstream: { scheme: grpc, nodes: { "127.0.0.1:%d": 1 } } }
                """.formatted(server.port(), silent.getLocalPort()));
        channel = channel(gateway.port());
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        gateway.close();
        server.close();
        silent.close();
    }

    /** A gateway whose one route, {@code /test.Echo/*}, goes to the gRPC node on {@code port}. */
    static TestGateway gatewayTo(int port, int threads) {
        return TestGateway.start("""
                tidegate:
                  threads: %d
                  listeners: [{ address: "127.0.0.1:0", offer_h2: true }]
                routes:
                  - { id: node, uri: "/test.Echo/*", upstream: { scheme: grpc, nodes: { "127.0.0.1:%d": 1 } } }
                """.formatted(threads, port));
    }

    /** What a streaming call receives, in order: each message as text, then "completed" or the error. */
    static StreamObserver<byte[]> into(LinkedBlockingQueue<Object> received) {
        return new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
                received.add(GrpcTestServer.text(value));
            }

            @Override
            public void onError(Throwable t) {
                received.add(t);
            }

            @Override
            public void onCompleted() {
                received.add("completed");
            }
        };
    }

    static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().maxInboundMessageSize(64 << 20).build();
    }

    @Test
    void aUnaryCallCarriesA16MbMessageBothWays() {
        byte[] payload = new byte[16 << 20];
        new Random(7).nextBytes(payload);
        byte[] answer = ClientCalls.blockingUnaryCall(channel, GrpcTestServer.UNARY, CallOptions.DEFAULT, payload);
        assertArrayEquals(payload, answer);
        Metadata seen = server.lastHeaders();
        assertEquals("127.0.0.1", seen.get(Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER)));
    }

    @Test
    void callsAreCountedPerRouteAsOtherRequestsAre() {
        double before = requests(gateway.metrics(), "echo", "200");
        for (int i = 0; i < 3; i++) {
            ClientCalls.blockingUnaryCall(channel, GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {1});
        }
        assertTrue(Await.until(Duration.ofSeconds(3), () -> requests(gateway.metrics(), "echo", "200") >= before + 3),
                "three more calls counted: " + requests(gateway.metrics(), "echo", "200") + " after " + before);
    }

    private static double requests(String metrics, String route, String status) {
        String series = "tidegate_requests_total{route=\"" + route + "\",status=\"" + status + "\"} ";
        return metrics.lines().filter(line -> line.startsWith(series)).mapToDouble(line -> Double.parseDouble(line.substring(series.length())))
                .findFirst().orElse(0);
    }

    @Test
    void aServerStreamOf10000MessagesArrivesWholeAndInOrder() {
        Iterator<byte[]> stream = ClientCalls.blockingServerStreamingCall(channel, GrpcTestServer.COUNT, CallOptions.DEFAULT,
                GrpcTestServer.int32(10_000));
        int expected = 0;
        while (stream.hasNext()) {
            assertEquals(expected++, GrpcTestServer.int32(stream.next()));
        }
        assertEquals(10_000, expected);
    }

    @Test
    void bidiPingPongGetsEachAnswerBeforeTheNextMessageIsSent() throws Exception {
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        ClientCall<byte[], byte[]> call = channel.newCall(GrpcTestServer.CHAT, CallOptions.DEFAULT);
        StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(call, into(received));
        for (int i = 0; i < 50; i++) {
            requests.onNext(("ping " + i).getBytes(StandardCharsets.UTF_8));
            // the stream stays open: the answer can only come if the gateway passed the message on its own
            assertEquals("ping " + i, received.poll(5, TimeUnit.SECONDS), "round " + i);
        }
        requests.onCompleted();
        assertEquals("completed", received.poll(5, TimeUnit.SECONDS));
    }

    @Test
    void callsBeyondANodesStreamLimitGoOnMoreConnections() throws Exception {
        try (GrpcTestServer limited = GrpcTestServer.startLimited(2); TestGateway gw = gatewayTo(limited.port(), 2)) {
            ManagedChannel through = channel(gw.port());
            try {
                for (int round = 0; round < 3; round++) {
                    List<com.google.common.util.concurrent.ListenableFuture<byte[]>> calls = new ArrayList<>();
                    for (int i = 0; i < 12; i++) {
                        calls.add(io.grpc.stub.ClientCalls.futureUnaryCall(through.newCall(GrpcTestServer.DELAY, CallOptions.DEFAULT),
                                new byte[] {(byte) i}));
                    }
                    for (int i = 0; i < calls.size(); i++) {
                        assertArrayEquals(new byte[] {(byte) i}, calls.get(i).get(5, TimeUnit.SECONDS), "round " + round + ", call " + i);
                    }
                }
            } finally {
                through.shutdownNow();
            }
        }
    }

    @Test
    void clientStreamingCallsAnsweredBeforeTheirRequestEndsFollowEachOther() throws Exception {
        // one stream at a time on the node, requests never ended by the client: each call must still be served
        try (GrpcTestServer single = GrpcTestServer.startLimited(1); TestGateway gw = gatewayTo(single.port(), 1)) {
            ManagedChannel through = channel(gw.port());
            try {
                for (int i = 0; i < 5; i++) {
                    LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
                    io.grpc.stub.ClientCalls.asyncClientStreamingCall(through.newCall(GrpcTestServer.FIRST, CallOptions.DEFAULT), into(received))
                            .onNext(("first " + i).getBytes(StandardCharsets.UTF_8));  // and the request is never ended
                    assertEquals("first " + i, received.poll(5, TimeUnit.SECONDS), "call " + i);
                    assertEquals("completed", received.poll(5, TimeUnit.SECONDS));
                }
            } finally {
                through.shutdownNow();
            }
        }
    }

    @Test
    void anErrorStatusArrivesWithItsMessageAndCustomTrailers() {
        StatusRuntimeException e = expectFailure(() -> ClientCalls.blockingUnaryCall(channel, GrpcTestServer.FAIL, CallOptions.DEFAULT, new byte[1]));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals(GrpcTestServer.FAIL_MESSAGE, e.getStatus().getDescription());
        Metadata trailers = e.getTrailers();
        assertNotNull(trailers);
        assertEquals("quota", trailers.get(GrpcTestServer.REASON));
        assertArrayEquals(new byte[] {1, 2, 3, (byte) 0xff}, trailers.get(GrpcTestServer.DETAIL));
    }

    @Test
    void anUpstreamThatIsDownIsUnavailable() {
        StatusRuntimeException e = expectFailure(() -> ClientCalls.blockingUnaryCall(channel,
                GrpcTestServer.UNARY.toBuilder().setFullMethodName("down.Echo/Unary").build(), CallOptions.DEFAULT, new byte[1]));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
    }

    @Test
    void aMethodNoRouteServesIsUnimplemented() {
        StatusRuntimeException e = expectFailure(() -> ClientCalls.blockingUnaryCall(channel,
                GrpcTestServer.UNARY.toBuilder().setFullMethodName("other.Service/Call").build(), CallOptions.DEFAULT, new byte[1]));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals("404 Route Not Found", e.getStatus().getDescription());
    }

    @Test
    void aClientDeadlineCancelsTheUpstreamCall() {
        int before = server.cancelled();
        StatusRuntimeException e = expectFailure(() -> ClientCalls.blockingUnaryCall(channel, GrpcTestServer.SLOW,
                CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), new byte[1]));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
        assertTrue(Await.until(Duration.ofSeconds(3), () -> server.cancelled() > before), "the upstream call was cancelled");
    }

    @Test
    void theGatewayEndsACallAtItsGrpcTimeoutWithATrailersOnlyAnswer() throws Exception {
        try (RawH2Client client = RawH2Client.connectPlain(gateway.port())) {
            List<H2Header> headers = grpcHeaders("/silent.Echo/Slow");
            headers.add(new H2Header("grpc-timeout", "300m"));
            long started = System.nanoTime();
            int stream = client.request(headers, new byte[] {0, 0, 0, 0, 1, 42});
            H2Response answer = client.await(stream, Duration.ofSeconds(5));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(200, answer.status(), answer.toString());
            assertEquals("4", answer.header("grpc-status"), answer.toString());
            assertEquals("Deadline Exceeded", answer.header("grpc-message"));
            assertEquals(1, answer.headerBlocks(), "one HEADERS frame ends the stream: " + answer);
            assertEquals(0, answer.body().length);
            assertTrue(tookMillis >= 290 && tookMillis < 2_000, "answered at the deadline: " + tookMillis + " ms");
        }
    }

    @Test
    void aGrpcTimeoutPassingAfterTheResponseHeadEndsTheStreamWithDeadlineExceededTrailers() throws Exception {
        // an HTTP/2 node that answers the head and one message, then nothing: it knows nothing of grpc-timeout
        io.undertow.Undertow stalling = io.undertow.Undertow.builder()
                .setServerOption(io.undertow.UndertowOptions.ENABLE_HTTP2, true)
                .addHttpListener(0, "127.0.0.1")
                .setHandler(exchange -> exchange.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, () -> {
                    exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/grpc");
                    var channel = exchange.getResponseChannel();
                    try {
                        channel.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 1, 7}));
                        channel.flush();  // and the response stays open
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }))
                .build();
        stalling.start();
        int port = ((InetSocketAddress) stalling.getListenerInfo().get(0).getAddress()).getPort();
        try (TestGateway gw = TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0", offer_h2: true }]
                routes:
                  - { id: stalls, uri: "/*", upstream: { scheme: grpc, nodes: { "127.0.0.1:%d": 1 } } }
                """.formatted(port));
             RawH2Client client = RawH2Client.connectPlain(gw.port())) {
            List<H2Header> headers = grpcHeaders("/stall.Service/Stream");
            headers.add(new H2Header("grpc-timeout", "400m"));
            long started = System.nanoTime();
            H2Response answer = client.await(client.request(headers, new byte[] {0, 0, 0, 0, 0}), Duration.ofSeconds(5));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(200, answer.status(), answer.toString());
            assertArrayEquals(new byte[] {0, 0, 0, 0, 1, 7}, answer.body(), "the message sent before the deadline arrived");
            assertEquals(2, answer.headerBlocks(), "a head, then trailers: " + answer);
            assertEquals("4", answer.header("grpc-status"));
            assertEquals("Deadline Exceeded", answer.header("grpc-message"));
            assertTrue(tookMillis >= 390 && tookMillis < 3_000, tookMillis + " ms");
        } finally {
            stalling.stop();
        }
    }

    @Test
    void gatewayAnswersToGrpcCallsAreTrailersOnly() throws Exception {
        try (RawH2Client client = RawH2Client.connectPlain(gateway.port())) {
            H2Response answer = client.await(client.request(grpcHeaders("/nowhere.Service/Call"), new byte[] {0, 0, 0, 0, 0}),
                    Duration.ofSeconds(5));
            assertEquals(200, answer.status());
            assertEquals("application/grpc", answer.header("content-type"));
            assertEquals("12", answer.header("grpc-status"), answer.toString());
            assertEquals(1, answer.headerBlocks(), answer.toString());
            assertEquals(0, answer.body().length);
        }
    }

    @Test
    void grpcsVerifiesTheUpstreamAndPresentsTheGatewaysClientCertificate(@TempDir Path dir) throws Exception {
        TestCertificates ca = TestCertificates.newAuthority("Tidegate gRPC Test CA");
        TestCertificates.Issued serverCert = ca.issue("grpc.test", "grpc.test", "localhost");
        TestCertificates.Issued clientCert = ca.issue("tidegate-client");
        var tls = GrpcSslContexts.forServer(stream(serverCert.certPem()), stream(serverCert.keyPem()))
                .trustManager(stream(ca.ca().certPem())).clientAuth(ClientAuth.REQUIRE).build();
        Path caFile = dir.resolve("ca.pem");
        Files.writeString(caFile, ca.ca().certPem());
        String cert = clientCert.certPem().replace("\n", "\\n");
        String key = clientCert.keyPem().replace("\n", "\\n");
        try (GrpcTestServer secure = GrpcTestServer.startTls(tls)) {
            String upstream = "{ scheme: grpcs, pass_host: rewrite, upstream_host: %s, nodes: { \"127.0.0.1:" + secure.port() + "\": 1 }, tls: %s }";
            String mutual = "{ verify: true, client_cert: \"" + cert + "\", client_key: \"" + key + "\" }";
            try (TestGateway gw = TestGateway.start("""
                    tidegate:
                      threads: 2
                      listeners: [{ address: "127.0.0.1:0", offer_h2: true }]
                      ssl_trusted_certificate: %s
                    routes:
                      - { id: mtls, uri: "/test.Echo/*", upstream: %s }
                      - { id: no-cert, uri: "/nocert.Echo/*", upstream: %s }
                      - { id: wrong-name, uri: "/wrongname.Echo/*", upstream: %s }
                    """.formatted(caFile, upstream.formatted("grpc.test", mutual), upstream.formatted("grpc.test", "{ verify: true }"),
                    upstream.formatted("other.test", mutual)))) {
                ManagedChannel through = channel(gw.port());
                try {
                    byte[] answer = ClientCalls.blockingUnaryCall(through, GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {9});
                    assertArrayEquals(new byte[] {9}, answer);
                    StatusRuntimeException noCert = expectFailure(() -> ClientCalls.blockingUnaryCall(through,
                            GrpcTestServer.UNARY.toBuilder().setFullMethodName("nocert.Echo/Unary").build(), CallOptions.DEFAULT, new byte[1]));
                    assertEquals(Status.Code.UNAVAILABLE, noCert.getStatus().getCode(), "the upstream refuses a gateway without a certificate");
                    StatusRuntimeException wrongName = expectFailure(() -> ClientCalls.blockingUnaryCall(through,
                            GrpcTestServer.UNARY.toBuilder().setFullMethodName("wrongname.Echo/Unary").build(), CallOptions.DEFAULT, new byte[1]));
                    assertEquals(Status.Code.UNAVAILABLE, wrongName.getStatus().getCode(), "the certificate does not name other.test");
                } finally {
                    through.shutdownNow();
                }
            }
        }
    }

    @Test
    void activeChecksOfTypeGrpcAskTheHealthServiceAndCallsAvoidANodeNotServing() throws Exception {
        try (GrpcTestServer a = GrpcTestServer.start(); GrpcTestServer b = GrpcTestServer.start();
             TestGateway gw = TestGateway.start("""
                     tidegate:
                       threads: 2
                       listeners: [{ address: "127.0.0.1:0", offer_h2: true }]
                       status: { address: "127.0.0.1:0" }
                     routes:
                       - { id: checked, uri: "/test.Echo/*", upstream_id: u }
                     upstreams:
                       - id: u
                         scheme: grpc
                         nodes: { "127.0.0.1:%d": 1, "127.0.0.1:%d": 1 }
                         checks:
                           active:
                             type: grpc
                             healthy: { interval: 0.1, successes: 1 }
                             unhealthy: { interval: 0.1, http_failures: 1 }
                     """.formatted(a.port(), b.port()))) {
            b.serving(false);
            String bAddress = "127.0.0.1:" + b.port();
            assertTrue(Await.until(Duration.ofSeconds(5), () -> "unhealthy".equals(state(gw, bAddress))),
                    "the node answering NOT_SERVING is unhealthy: " + gw.status("/status/upstreams"));
            assertTrue(a.healthChecks() > 0 && b.healthChecks() > 0, "both nodes' health services were asked");
            ManagedChannel through = channel(gw.port());
            try {
                int before = b.healthChecks();
                for (int i = 0; i < 20; i++) {
                    ClientCalls.blockingUnaryCall(through, GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {1});
                }
                assertEquals(null, b.lastHeaders(), "no call went to the node that is not serving");
                assertTrue(Await.until(Duration.ofSeconds(3), () -> b.healthChecks() > before), "and it is still probed");
            } finally {
                through.shutdownNow();
            }
            b.serving(true);
            assertTrue(Await.until(Duration.ofSeconds(5), () -> "healthy".equals(state(gw, bAddress))), "back when it serves again");
        }
    }

    private static String state(TestGateway gw, String address) {
        for (var upstream : gw.status("/status/upstreams").get("upstreams")) {
            for (var node : upstream.get("nodes")) {
                if (node.get("address").asText().equals(address)) {
                    return node.get("status").asText();
                }
            }
        }
        return "not checked";
    }

    private static ByteArrayInputStream stream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }

    static List<H2Header> grpcHeaders(String path) {
        List<H2Header> headers = new ArrayList<>(H2Header.request("POST", path));
        headers.set(1, new H2Header(":scheme", "http"));
        headers.add(new H2Header("content-type", "application/grpc"));
        headers.add(new H2Header("te", "trailers"));
        return headers;
    }

    static StatusRuntimeException expectFailure(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call succeeded");
    }
}
