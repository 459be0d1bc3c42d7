package io.tidegate.plugin;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.tidegate.testing.FreePort;
import io.tidegate.testing.GrpcTestServer;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin's {@code UpstreamTryWatcher} sees each try at a node, retries included, on HTTP/1.1 and
 * HTTP/2 (gRPC) upstreams: started before the request is written (the header it sets reaches that
 * node), ended once with the status or why the try failed.
 */
public class UpstreamTriesTest {
    /** What the recorder saw, in order (public: the plugin runs in its own class loader). */
    public static final LinkedBlockingQueue<String> EVENTS = new LinkedBlockingQueue<>();

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @TempDir
    static Path root;
    static GrpcTestServer grpc;
    static io.undertow.Undertow webSocketEcho;
    static int webSocketPort;
    static TestGateway gw;
    static int dead;

    @BeforeAll
    static void start() throws Exception {
        Path plugins = Files.createDirectories(root.resolve("plugins"));
        TestPluginJars.install(plugins, "tries.jar", "tries", "1", TryRecorderPlugin.class);
        grpc = GrpcTestServer.start();
        webSocketEcho = io.undertow.Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(io.undertow.Handlers.websocket((exchange, channel) -> channel.resumeReceives())).build();
        webSocketEcho.start();
        webSocketPort = ((java.net.InetSocketAddress) webSocketEcho.getListenerInfo().get(0).getAddress()).getPort();
        dead = FreePort.pick();
        gw = TestGateway.start("""
                tidegate:
                  threads: 1
                  listeners: [{ address: "127.0.0.1:0", offer_h2: true }]
                  plugins_dir: %s
                routes:
                  - id: retried
                    uri: /retried
                    plugins: { try-recorder: {} }
                    upstream:
                      retries: 1
                      nodes:
                        - { host: 127.0.0.1, port: %d, weight: 1, priority: 1 }
                        - { host: 127.0.0.1, port: %d, weight: 1, priority: 0 }
                  - id: slow
                    uri: /__slow
                    plugins: { try-recorder: {} }
                    upstream: { nodes: { "%s": 1 }, timeout: { connect: 1, send: 1, read: 0.3 } }
                  - { id: plain, uri: /plain, upstream: { nodes: { "%s": 1 } } }
                  - { id: malformed, uri: /malformed, plugins: { try-recorder: {} }, upstream: { nodes: { "%s": 1 } } }
                  - id: grpc
                    uri: "/test.Echo/*"
                    plugins: { try-recorder: {} }
                    upstream: { scheme: grpc, nodes: { "127.0.0.1:%d": 1 } }
                  - { id: ws, uri: /ws, enable_websocket: true, plugins: { try-recorder: {} }, upstream: { nodes: { "127.0.0.1:%d": 1 } } }
                """.formatted(plugins, dead, upstream.port(), upstream.address(), upstream.address(), upstream.address(), grpc.port(),
                webSocketPort));
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
        if (grpc != null) {
            grpc.close();
        }
        if (webSocketEcho != null) {
            webSocketEcho.stop();
        }
    }

    @BeforeEach
    void clear() {
        EVENTS.clear();
    }

    private static List<String> events(int count) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        while (seen.size() < count) {
            String event = EVENTS.poll(5, TimeUnit.SECONDS);
            if (event == null) {
                break;
            }
            seen.add(event);
        }
        return seen;
    }

    @Test
    void aRetryIsASecondTryAndEachNodeGetsItsOwnHeader() throws Exception {
        HttpResponse<String> response = gw.get("/retried");
        assertEquals(200, response.statusCode());
        assertEquals("2", json(response).at("/headers/x-try").asText(), "the live node got the second try's header");
        assertEquals(List.of(
                "/retried started 1 http://127.0.0.1:" + dead + " GET",
                "/retried ended 1 0 connect_failed, late header refused",
                "/retried started 2 http://127.0.0.1:" + upstream.port() + " GET",
                "/retried ended 2 200 null, late header refused"), events(4));
    }

    @Test
    void aTryWithoutAnAnswerInTheReadTimeoutEndsTimedOut() throws Exception {
        assertEquals(504, gw.get("/__slow?ms=3000").statusCode());
        assertEquals(List.of(
                "/__slow started 1 http://127.0.0.1:" + upstream.port() + " GET",
                "/__slow ended 1 0 timed_out, late header refused"), events(2));
    }

    @Test
    void aTryThatIsNeverSentBecauseAPluginMadeItMalformedEndsRefused() throws Exception {
        assertEquals(500, gw.get("/malformed").statusCode());
        assertEquals(List.of(
                "/malformed started 1 http://127.0.0.1:" + upstream.port() + " GET",
                "/malformed ended 1 0 refused, late header refused"), events(2));
    }

    @Test
    void aRouteWhosePluginsWatchNothingHasNoTries() throws Exception {
        assertEquals(200, gw.get("/plain").statusCode());
        assertNull(EVENTS.poll(300, TimeUnit.MILLISECONDS));
    }

    @Test
    void aWebSocketUpgradeIsATryThatEndsWhenTheNodeSwitches() throws Exception {
        java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(java.net.URI.create("ws://127.0.0.1:" + gw.port() + "/ws"), new java.net.http.WebSocket.Listener() {})
                .get(5, TimeUnit.SECONDS);
        try {
            assertEquals(List.of(
                    "/ws started 1 http://127.0.0.1:" + webSocketPort + " GET",
                    "/ws ended 1 101 null, late header refused"), events(2), "ended while the tunnel is still open");
        } finally {
            socket.abort();
        }
    }

    @Test
    void anHttp2UpstreamsTriesAreSeenToo() throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gw.port()).usePlaintext().build();
        try {
            byte[] answer = ClientCalls.blockingUnaryCall(channel, GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {7});
            assertArrayEquals(new byte[] {7}, answer);
        } finally {
            channel.shutdownNow();
        }
        assertEquals("1", grpc.lastHeaders().get(Metadata.Key.of("x-try", Metadata.ASCII_STRING_MARSHALLER)));
        assertEquals(List.of(
                "/test.Echo/Unary started 1 grpc://127.0.0.1:" + grpc.port() + " POST",
                "/test.Echo/Unary ended 1 200 null, late header refused"), events(2));
    }
}
