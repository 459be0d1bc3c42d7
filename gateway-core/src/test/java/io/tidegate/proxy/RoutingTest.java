package io.tidegate.proxy;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each routing rule, through the real gateway: which upstream answered tells which route matched. */
class RoutingTest {
    @RegisterExtension
    static final UpstreamServer a = new UpstreamServer("a");
    @RegisterExtension
    static final UpstreamServer b = new UpstreamServer("b");
    @RegisterExtension
    static final UpstreamServer c = new UpstreamServer("c");

    private static String upstreams() {
        return """
                upstreams:
                  - { id: a, nodes: { "%s": 1 } }
                  - { id: b, nodes: { "%s": 1 } }
                  - { id: c, nodes: { "%s": 1 } }
                """.formatted(a.address(), b.address(), c.address());
    }

    private static String server(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), () -> "body: " + response.body());
        return json(response).get("server").asText();
    }

    private static HttpResponse<String> getWithHost(TestGateway gw, String path, String host) {
        return gw.send(gw.request(path).header("Host", host).GET().build());
    }

    @Test
    void exactPathBeatsPrefixAndLongerPrefixBeatsShorter() {
        try (TestGateway gw = TestGateway.start(upstreams() + """
                routes:
                  - { id: 1, uri: "/api*", upstream_id: a }
                  - { id: 2, uri: "/api/v1/*", upstream_id: b }
                  - { id: 3, uri: "/api/v1/users", upstream_id: c }
                """)) {
            assertEquals("c", server(gw.get("/api/v1/users")));
            assertEquals("b", server(gw.get("/api/v1/users/7")));
            assertEquals("b", server(gw.get("/api/v1/")));
            assertEquals("a", server(gw.get("/api/v2")));
            assertEquals("a", server(gw.get("/api")));
            assertEquals("a", server(gw.get("/apiary")));
            assertEquals(404, gw.get("/ap").statusCode());
        }
    }

    @Test
    void parameterMatchesExactlyOneSegment() {
        try (TestGateway gw = TestGateway.start(upstreams() + """
                routes:
                  - { id: 1, uri: "/user/:name", upstream_id: a }
                  - { id: 2, uri: "/user/:name/profile", upstream_id: b }
                  - { id: 3, uri: "/user/admin", upstream_id: c }
                """)) {
            assertEquals("a", server(gw.get("/user/alice")));
            assertEquals("b", server(gw.get("/user/alice/profile")));
            assertEquals("c", server(gw.get("/user/admin")), "static text beats a parameter");
            assertEquals(404, gw.get("/user/alice/other").statusCode());
            assertEquals(404, gw.get("/user/").statusCode(), "a parameter is never empty");
        }
    }

    @Test
    void noMatchIs404WithApisixBody() {
        try (TestGateway gw = TestGateway.start(upstreams() + """
                routes:
                  - { id: 1, uri: /only, upstream_id: a }
                """)) {
            HttpResponse<String> response = gw.get("/elsewhere");
            assertEquals(404, response.statusCode());
            assertEquals("{\"error_msg\":\"404 Route Not Found\"}\n", response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        }
    }

    @Test
    void exactHostThenWildcardThenAnyHost() {
        try (TestGateway gw = TestGateway.start(upstreams() + """
                routes:
                  - { id: 1, uri: "/*", host: api.example.com, upstream_id: a }
                  - { id: 2, uri: "/*", hosts: ["*.example.com"], upstream_id: b }
                  - { id: 3, uri: "/*", upstream_id: c }
                  - { id: 4, uri: "/only-a", hosts: [API.Example.com], upstream_id: a }
                """)) {
            assertEquals("a", server(getWithHost(gw, "/x", "api.example.com")));
            assertEquals("a", server(getWithHost(gw, "/x", "API.EXAMPLE.COM:9080")), "host is case-insensitive, port ignored");
            assertEquals("b", server(getWithHost(gw, "/x", "www.example.com")));
            assertEquals("b", server(getWithHost(gw, "/x", "a.b.example.com")));
            assertEquals("c", server(getWithHost(gw, "/x", "example.com")), "*.example.com needs a subdomain");
            assertEquals("c", server(getWithHost(gw, "/x", "other.org")));
        }
    }

    @Test
    void hostRouteFallsBackToHostlessRouteWhenItsPathDoesNotMatch() {
        try (TestGateway gw = TestGateway.start(upstreams() + """
                routes:
                  - { id: 1, uri: /admin, host: api.example.com, upstream_id: a }
                  - { id: 2, uri: "/*", upstream_id: b }
                """)) {
            assertEquals("a", server(getWithHost(gw, "/admin", "api.example.com")));
            assertEquals("b", server(getWithHost(gw, "/public", "api.example.com")));
            assertEquals("b", server(getWithHost(gw, "/admin", "other.example.com")));
        }
    }

    @Test
    void methodsRestrictARoute() {
        try (TestGateway gw = TestGateway.start(upstreams() + """
                routes:
                  - { id: 1, uri: /items, methods: [POST, PUT], upstream_id: a }
                  - { id: 2, uri: /items, upstream_id: b }
                """)) {
            assertEquals("a", server(gw.send(gw.request("/items").POST(HttpRequest.BodyPublishers.ofString("x")).build())));
            assertEquals("a", server(gw.send(gw.request("/items").PUT(HttpRequest.BodyPublishers.ofString("x")).build())));
            assertEquals("b", server(gw.get("/items")));
            assertEquals("b", server(gw.send(gw.request("/items").DELETE().build())));
        }
    }

    @Test
    void priorityOrdersRoutesOnTheSamePath() {
        try (TestGateway gw = TestGateway.start(upstreams() + """
                routes:
                  - { id: 1, uri: /p, priority: 1, upstream_id: a }
                  - { id: 2, uri: /p, priority: 5, upstream_id: b }
                  - { id: 3, uri: /p, upstream_id: c }
                """)) {
            assertEquals("b", server(gw.get("/p")));
        }
    }

    @Test
    void varsSelectAmongRoutesOnTheSamePath() {
        try (TestGateway gw = TestGateway.start(upstreams() + """
                routes:
                  - id: 1
                    uri: /v
                    priority: 10
                    vars: [["arg_env", "==", "canary"], ["http_x_user", "~~", "^vip-"]]
                    upstream_id: a
                  - id: 2
                    uri: /v
                    priority: 5
                    vars: [["cookie_team", "in", ["red", "blue"]], ["arg_n", ">", 10]]
                    upstream_id: b
                  - { id: 3, uri: /v, upstream_id: c }
                """)) {
            assertEquals("a", server(gw.send(gw.request("/v?env=canary").header("X-User", "vip-9").GET().build())));
            assertEquals("c", server(gw.send(gw.request("/v?env=canary").header("X-User", "std-1").GET().build())));
            assertEquals("b", server(gw.send(gw.request("/v?n=11").header("Cookie", "team=blue").GET().build())));
            assertEquals("c", server(gw.send(gw.request("/v?n=10").header("Cookie", "team=blue").GET().build())));
            assertEquals("c", server(gw.send(gw.request("/v?n=11").header("Cookie", "team=green").GET().build())));
        }
    }

    @Test
    void remoteAddrsMatchTheClientByCidr() {
        try (TestGateway gw = TestGateway.start(upstreams() + """
                routes:
                  - { id: 1, uri: /r, remote_addrs: ["10.0.0.0/8", "192.168.1.1"], upstream_id: a }
                  - { id: 2, uri: /r, remote_addr: "127.0.0.0/24", priority: -1, upstream_id: b }
                  - { id: 3, uri: /s, remote_addrs: ["::1/128", "10.1.1.1"], upstream_id: c }
                """)) {
            assertEquals("b", server(gw.get("/r")), "the test client is 127.0.0.1");
            assertEquals(404, gw.get("/s").statusCode(), "127.0.0.1 is neither ::1 nor 10.1.1.1");
        }
    }

    @Test
    void disabledRouteDoesNotServe() {
        try (TestGateway gw = TestGateway.start(upstreams() + """
                routes:
                  - { id: 1, uri: /d, status: 0, upstream_id: a }
                  - { id: 2, uri: /e, status: 1, upstream_id: b }
                """)) {
            assertEquals(404, gw.get("/d").statusCode());
            assertEquals("b", server(gw.get("/e")));
        }
    }

    @Test
    void urisListsSeveralPaths() {
        try (TestGateway gw = TestGateway.start(upstreams() + """
                routes:
                  - { id: 1, uris: [/one, "/two/*"], upstream_id: a }
                """)) {
            assertEquals("a", server(gw.get("/one")));
            assertEquals("a", server(gw.get("/two/deep/path")));
            assertEquals(404, gw.get("/three").statusCode());
        }
    }
}
