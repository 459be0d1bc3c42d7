package io.tidegate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidegate.testing.TestGateway;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WebSocket upgrades through the gateway to a real WebSocket echo server. */
class WebSocketTest {
    static Undertow echo;
    static int echoPort;

    @BeforeAll
    static void startEcho() {
        echo = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(Handlers.websocket((exchange, channel) -> {
                    channel.getReceiveSetter().set(new AbstractReceiveListener() {
                        @Override
                        protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
                            WebSockets.sendText("echo: " + message.getData(), ch, null);
                        }
                    });
                    channel.resumeReceives();
                })).build();
        echo.start();
        echoPort = ((InetSocketAddress) echo.getListenerInfo().get(0).getAddress()).getPort();
    }

    @AfterAll
    static void stopEcho() {
        echo.stop();
    }

    private static TestGateway gateway() {
        return TestGateway.start("""
                routes:
                  - { id: 1, uri: /ws, enable_websocket: true, upstream: { nodes: { "127.0.0.1:%1$d": 1 } } }
                  - { id: 2, uri: /via-service, service_id: s }
                  - { id: 3, uri: /closed, upstream: { nodes: { "127.0.0.1:%1$d": 1 } } }
                services:
                  - { id: s, enable_websocket: true, upstream: { nodes: { "127.0.0.1:%1$d": 1 } } }
                """.formatted(echoPort));
    }

    private static String roundTrip(TestGateway gw, String path, String text) throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + gw.port() + path), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        webSocket.request(1);
                        return CompletableFuture.completedFuture(null);
                    }
                }).get(5, TimeUnit.SECONDS);
        socket.sendText(text, true).get(5, TimeUnit.SECONDS);
        String reply = received.poll(5, TimeUnit.SECONDS);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        return reply;
    }

    @Test
    void echoesThroughARouteThatEnablesWebSocket() throws Exception {
        try (TestGateway gw = gateway()) {
            assertEquals("echo: hello", roundTrip(gw, "/ws", "hello"));
            assertEquals("echo: twice", roundTrip(gw, "/ws", "twice"));
        }
    }

    @Test
    void serviceCanEnableWebSocketForItsRoutes() throws Exception {
        try (TestGateway gw = gateway()) {
            assertEquals("echo: svc", roundTrip(gw, "/via-service", "svc"));
        }
    }

    @Test
    void routeWithoutEnableWebsocketRefusesTheUpgrade() {
        try (TestGateway gw = gateway()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> roundTrip(gw, "/closed", "no"));
            assertEquals(java.net.http.WebSocketHandshakeException.class, e.getCause().getClass());
        }
    }
}
