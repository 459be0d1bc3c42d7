package io.tidegate.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.testing.SlowlorisClients;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A thousand slowloris connections from one address must not lock everyone else out: with
 * {@code max_connections_per_client} one address cannot take more than its share, and at
 * {@code max_connections} the gateway makes room by closing the connection that has waited
 * longest without completing a request head, instead of leaving new clients in the backlog.
 */
class SlowClientAttacksTest {
    private static final int SLOWLORIS = 1000;
    private static final int PROBES = 5;
    private static final int ANSWER_WITHIN_MILLIS = 2000;

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway(String limits) {
        return TestGateway.startWithLimits(limits, """
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()));
    }

    /** One request on a fresh connection from {@code fromAddress}: its status line, or why there was none. */
    private static String probe(int port, String fromAddress) {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(fromAddress, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), ANSWER_WITHIN_MILLIS);
            socket.setSoTimeout(ANSWER_WITHIN_MILLIS);
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            long millis = (System.nanoTime() - start) / 1_000_000;
            return millis <= ANSWER_WITHIN_MILLIS ? status : status + " after " + millis + " ms";
        } catch (SocketTimeoutException e) {
            return "no answer within " + ANSWER_WITHIN_MILLIS + " ms";
        } catch (IOException e) {
            return "failed: " + e;
        }
    }

    private static List<String> probes(int port, String fromAddress) throws InterruptedException {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < PROBES; i++) {
            answers.add(probe(port, fromAddress));
            Thread.sleep(200);
        }
        return answers;
    }

    @Test
    void oneAddressCannotTakeMoreThanItsShareOfConnections() throws Exception {
        try (TestGateway gw = gateway("{ max_connections: 200, max_connections_per_client: 50 }");
             SlowlorisClients attack = SlowlorisClients.open("127.0.0.2", gw.port(), SLOWLORIS)) {
            List<String> answers = probes(gw.port(), "127.0.0.1");
            assertEquals(List.of("HTTP/1.1 200", "HTTP/1.1 200", "HTTP/1.1 200", "HTTP/1.1 200", "HTTP/1.1 200"), answers,
                    "a normal client next to " + SLOWLORIS + " slowloris connections (" + attack.held() + " still held)");
        }
    }

    @Test
    void atMaxConnectionsTheLongestWaitingIdleConnectionMakesRoom() throws Exception {
        try (TestGateway gw = gateway("{ max_connections: 200 }");
             SlowlorisClients attack = SlowlorisClients.open("127.0.0.2", gw.port(), SLOWLORIS)) {
            List<String> answers = probes(gw.port(), "127.0.0.3");
            assertEquals(List.of("HTTP/1.1 200", "HTTP/1.1 200", "HTTP/1.1 200", "HTTP/1.1 200", "HTTP/1.1 200"), answers,
                    "a fresh client from another address next to " + SLOWLORIS + " slowloris connections ("
                            + attack.held() + " still held)");
        }
    }
}
