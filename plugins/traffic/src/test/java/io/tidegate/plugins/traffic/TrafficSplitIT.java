package io.tidegate.plugins.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** traffic-split end to end: exact weights, matches, upstream ids looked up per version, retries of the chosen upstream. */
class TrafficSplitIT {
    private final List<HttpServer> origins = new ArrayList<>();

    /** An origin that answers its name and the Host it was sent. */
    private int origin(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = (name + " " + exchange.getRequestHeaders().getFirst("Host")).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        origins.add(server);
        return server.getAddress().getPort();
    }

    @BeforeEach
    void noOrigins() {
        origins.clear();
    }

    @AfterEach
    void stopOrigins() {
        origins.forEach(s -> s.stop(0));
    }

    private static String name(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return response.body().split(" ")[0];
    }

    @Test
    void weightsAreExactAndInterleavedAcrossInlineIdAndTheRoutesOwnUpstream() throws Exception {
        int a = origin("a");
        int b = origin("b");
        int own = origin("own");
        try (TestGateway gw = PluginGateway.start("""
                upstreams:
                  - { id: b, nodes: { "127.0.0.1:%d": 1 } }
                routes:
                  - id: 1
                    uri: /split
                    plugins:
                      traffic-split:
                        rules:
                          - weighted_upstreams:
                              - { upstream: { name: a, nodes: { "127.0.0.1:%d": 1 } }, weight: 3 }
                              - { upstream_id: b, weight: 1 }
                              - { weight: 1 }
                    upstream: { nodes: { "127.0.0.1:%d": 1 } }
                """.formatted(b, a, own))) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                seen.add(name(gw.get("/split")));
            }
            assertEquals(List.of("a", "a", "a", "b", "own"), seen.subList(0, 5), "nginx's interleaved order, heaviest first");
            Map<String, Integer> counts = new TreeMap<>();
            seen.forEach(n -> counts.merge(n, 1, Integer::sum));
            assertEquals(Map.of("a", 30, "b", 10, "own", 10), counts);
        }
    }

    @Test
    void theFirstRuleThatMatchesDecidesAndNoMatchKeepsTheRoutesUpstream() throws Exception {
        int canary = origin("canary");
        int beta = origin("beta");
        int own = origin("own");
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: 1
                    uri: /match
                    plugins:
                      traffic-split:
                        rules:
                          - match:
                              - vars: [["arg_name", "==", "jack"], ["http_user-id", ">", "23"]]
                              - vars: [["http_x-canary", "==", "1"]]
                            weighted_upstreams:
                              - { upstream: { nodes: { "127.0.0.1:%d": 1 } } }
                          - match: [{ vars: [["arg_name", "==", "rose"]] }]
                            weighted_upstreams:
                              - { upstream: { nodes: { "127.0.0.1:%d": 1 } } }
                    upstream: { nodes: { "127.0.0.1:%d": 1 } }
                """.formatted(canary, beta, own))) {
            assertEquals("canary", name(gw.send(gw.request("/match?name=jack").header("user-id", "30").build())));
            assertEquals("own", name(gw.send(gw.request("/match?name=jack").header("user-id", "20").build())),
                    "every vars of one match entry must hold");
            assertEquals("canary", name(gw.send(gw.request("/match").header("x-canary", "1").build())), "any match entry will do");
            assertEquals("beta", name(gw.get("/match?name=rose")));
            assertEquals("own", name(gw.get("/match?name=tom")));
        }
    }

    @Test
    void anUpstreamIdIsLookedUpInTheServingVersionAndAMissingOneAnswers500() throws Exception {
        int first = origin("first");
        int second = origin("second");
        int own = origin("own");
        String routes = """
                routes:
                  - id: 1
                    uri: /by-id
                    plugins:
                      traffic-split:
                        rules: [{ weighted_upstreams: [{ upstream_id: blue }] }]
                    upstream: { nodes: { "127.0.0.1:%d": 1 } }
                """.formatted(own);
        try (TestGateway gw = PluginGateway.start("""
                upstreams:
                  - { id: blue, nodes: { "127.0.0.1:%d": 1 } }
                """.formatted(first) + routes)) {
            assertEquals("first", name(gw.get("/by-id")));
            Files.writeString(gw.configFile(), Files.readString(gw.configFile()).replace(":" + first + "\"", ":" + second + "\""));
            long deadline = System.currentTimeMillis() + 10_000;
            while (!"second".equals(name(gw.get("/by-id"))) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals("second", name(gw.get("/by-id")), "the route did not change, its upstream did");

            Files.writeString(gw.configFile(), Files.readString(gw.configFile()).replace("{ id: blue", "{ id: green"));
            HttpResponse<String> missing = gw.get("/by-id");
            deadline = System.currentTimeMillis() + 10_000;
            while (missing.statusCode() == 200 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
                missing = gw.get("/by-id");
            }
            assertEquals(500, missing.statusCode());
            assertEquals("failed to fetch upstream info by upstream id: blue", missing.body());
        }
    }

    @Test
    void theChosenUpstreamRetriesOnItsNextNodeAndRewritesHostAsItSays() throws Exception {
        int live = origin("live");
        int own = origin("own");
        int dead;
        try (ServerSocket closed = new ServerSocket(0)) {
            dead = closed.getLocalPort();
        }
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: 1
                    uri: /retry
                    plugins:
                      traffic-split:
                        rules:
                          - weighted_upstreams:
                              - upstream:
                                  type: roundrobin
                                  retries: 1
                                  pass_host: rewrite
                                  upstream_host: chosen.example
                                  nodes: { "127.0.0.1:%d": 1, "127.0.0.1:%d": 1 }
                    upstream: { nodes: { "127.0.0.1:%d": 1 } }
                """.formatted(dead, live, own))) {
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> response = gw.get("/retry");
                assertEquals("live chosen.example", response.body(), "try " + i + ": the dead node is retried on the live one");
            }
        }
    }

    @Test
    void anInvalidInlineUpstreamIsRefusedAtItsField() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PluginGateway.start("""
                routes:
                  - id: 1
                    uri: /bad
                    plugins:
                      traffic-split:
                        rules: [{ weighted_upstreams: [{ upstream: { type: roundrobin, nodes: {} }, weight: 1 }] }]
                    upstream: { nodes: { "127.0.0.1:1": 1 } }
                """));
        assertTrue(e.getMessage().contains("routes[0].plugins.traffic-split.rules[0].weighted_upstreams[0].upstream.nodes"),
                e.getMessage());
    }
}
