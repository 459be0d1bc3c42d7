package io.tidegate.plugins.forwardauth;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * forward-auth end to end against a real authorization server: it allows requests carrying
 * {@code Authorization: Bearer good} (telling the user's id) and {@code Bearer anonymous} (telling
 * none), redirects the others to a login page,
 * and records what it was asked.
 */
class ForwardAuthIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static HttpServer auth;
    private static final List<Map<String, String>> asked = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startAuthServer() throws IOException {
        auth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        auth.setExecutor(Executors.newCachedThreadPool());
        auth.createContext("/auth", ForwardAuthIT::decide);
        auth.createContext("/slow", exchange -> {
            sleep(2000);
            decide(exchange);
        });
        auth.start();
    }

    @AfterAll
    static void stopAuthServer() {
        auth.stop(0);
    }

    private static void decide(HttpExchange exchange) throws IOException {
        Map<String, String> seen = new ConcurrentHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> seen.put(name.toLowerCase(), String.join(",", values)));
        seen.put(":method", exchange.getRequestMethod());
        seen.put(":body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        asked.add(seen);
        if ("Bearer good".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().add("X-User-ID", "42");
            exchange.sendResponseHeaders(200, -1);
        } else if ("Bearer huge".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            byte[] page = new byte[3 << 20];
            java.util.Arrays.fill(page, (byte) 'x');
            exchange.sendResponseHeaders(401, page.length);
            exchange.getResponseBody().write(page);
        } else if ("Bearer anonymous".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.sendResponseHeaders(204, -1);
        } else {
            byte[] body = "{\"message\":\"log in first\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Location", "https://login.example/");
            exchange.getResponseHeaders().add("X-Internal", "secret");
            exchange.sendResponseHeaders(302, body.length);
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static TestGateway gateway() throws IOException {
        String authUri = "http://127.0.0.1:" + auth.getAddress().getPort();
        int down = closedPort();
        return PluginGateway.start("""
                routes:
                  - id: get
                    uri: /get
                    plugins:
                      forward-auth: { uri: "%2$s/auth", request_headers: [Authorization], upstream_headers: [X-User-ID], client_headers: [Location], extra_headers: { X-Route: "$route_id via $request_method" } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: post
                    uri: /post
                    plugins:
                      forward-auth: { uri: "%2$s/auth", request_method: POST, request_headers: [Authorization], max_req_body_size: 64 }
                    upstream: { nodes: { "%1$s": 1 } }
                  - { id: down, uri: /down, plugins: { forward-auth: { uri: "http://127.0.0.1:%3$d/auth" } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: degrade, uri: /degrade, plugins: { forward-auth: { uri: "http://127.0.0.1:%3$d/auth", allow_degradation: true } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: degrade-live, uri: /degrade-live, plugins: { forward-auth: { uri: "%2$s/auth", allow_degradation: true, request_headers: [Authorization], extra_headers: { X-Arg: "$arg_x" } } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: slow, uri: /slow, plugins: { forward-auth: { uri: "%2$s/slow", timeout: 300, status_on_error: 503 } }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address(), authUri, down));
    }

    private static HttpResponse<String> get(TestGateway gw, String path, String authorization, String userId) {
        HttpRequest.Builder request = gw.request(path).header("Authorization", authorization);
        if (userId != null) {
            request.header("X-User-ID", userId);
        }
        return gw.send(request.GET().build());
    }

    @Test
    void allowedRequestsCarryWhatTheServiceSaysAndTheServiceSeesTheRequest() throws IOException {
        try (TestGateway gw = gateway()) {
            asked.clear();
            JsonNode headers = json(get(gw, "/get?x=1", "Bearer good", "999")).get("headers");
            assertEquals("42", headers.get("x-user-id").asText(), "the service's X-User-ID replaces the client's");
            Map<String, String> seen = asked.get(0);
            assertEquals("GET", seen.get(":method"));
            assertEquals("Bearer good", seen.get("authorization"));
            assertEquals("/get?x=1", seen.get("x-forwarded-uri"));
            assertEquals("GET", seen.get("x-forwarded-method"));
            assertEquals("http", seen.get("x-forwarded-proto"));
            assertEquals("127.0.0.1", seen.get("x-forwarded-for"));
            assertEquals("get via GET", seen.get("x-route"));
        }
    }

    @Test
    void refusalsGoToTheClientAsTheServiceSentThemAndNeverUpstream() throws IOException {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            HttpResponse<String> refused = get(gw, "/get", "Bearer bad", null);
            assertEquals(302, refused.statusCode());
            assertEquals("{\"message\":\"log in first\"}", refused.body());
            assertEquals("https://login.example/", refused.headers().firstValue("Location").orElseThrow());
            assertFalse(refused.headers().firstValue("X-Internal").isPresent(), "only client_headers pass");
            assertEquals(before, upstream.requestCount());
        }
    }

    @Test
    void aForgedUpstreamHeaderIsRemovedWhenTheServiceSendsNone() throws IOException {
        try (TestGateway gw = gateway()) {
            JsonNode headers = json(get(gw, "/get", "Bearer anonymous", "1")).get("headers");
            assertFalse(headers.has("x-user-id"), "the client's own X-User-ID never reaches the upstream: " + headers);
        }
    }

    @Test
    void postSendsTheBodyToTheServiceAndTheSameBodyUpstream() throws IOException {
        try (TestGateway gw = gateway()) {
            asked.clear();
            HttpResponse<String> passed = gw.send(gw.request("/post").header("Authorization", "Bearer good")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build());
            assertEquals(200, passed.statusCode(), passed.body());
            assertEquals(7, json(passed).get("body_bytes").asInt());
            assertEquals("POST", asked.get(0).get(":method"));
            assertEquals("{\"a\":1}", asked.get(0).get(":body"));
            HttpResponse<String> tooLarge = gw.send(gw.request("/post").header("Authorization", "Bearer good")
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(65))).build());
            assertEquals(413, tooLarge.statusCode());
        }
    }

    @Test
    void sslVerifyFalseAcceptsAServiceCertificateOfAnotherNameAndIssuer() {
        io.tidegate.testing.TestCertificates authority = io.tidegate.testing.TestCertificates.newAuthority("untrusted-ca");
        try (UpstreamServer tlsAuth = UpstreamServer.start("auth", authority.issue("other.example", "other.example").serverContext(null));
             TestGateway gw = PluginGateway.start("""
                     routes:
                       - { id: verify, uri: /verify, plugins: { forward-auth: { uri: "https://127.0.0.1:%2$d/auth" } }, upstream: { nodes: { "%1$s": 1 } } }
                       - { id: trust, uri: /trust, plugins: { forward-auth: { uri: "https://127.0.0.1:%2$d/auth", ssl_verify: false } }, upstream: { nodes: { "%1$s": 1 } } }
                     """.formatted(upstream.address(), tlsAuth.port()))) {
            assertEquals(403, gw.get("/verify").statusCode(), "an untrusted certificate is an unreachable service");
            assertEquals(200, gw.get("/trust").statusCode(), "ssl_verify: false, as the operator asked: any issuer, any name");
        }
    }

    @Test
    void anUnreachableServiceFailsClosedUnlessDegradationIsAllowed() throws IOException {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            HttpResponse<String> down = gw.get("/down");
            assertEquals(403, down.statusCode());
            long started = System.nanoTime();
            HttpResponse<String> slow = gw.get("/slow");
            assertEquals(503, slow.statusCode(), "status_on_error");
            assertTrue(System.nanoTime() - started < 1_800_000_000L, "the 300 ms timeout, not the service's 2 s");
            assertEquals(before, upstream.requestCount(), "nothing reached the upstream while the service was unreachable");
            assertEquals(200, gw.get("/degrade").statusCode(), "allow_degradation lets the request through");
            int beforeLive = upstream.requestCount();
            HttpResponse<String> huge = get(gw, "/degrade-live", "Bearer huge", null);
            assertEquals(401, huge.statusCode(), "a refusal with a 3 MiB page stays a refusal, its body dropped");
            assertEquals("", huge.body());
            HttpResponse<String> unsendable = gw.get("/degrade-live?x=%01");
            assertEquals(403, unsendable.statusCode(), "a header the client cannot send is no outage: never degraded");
            assertEquals(beforeLive, upstream.requestCount());
        }
    }
}
