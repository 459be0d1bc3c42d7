package io.tidegate.plugins.proxyrewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** redirect end to end: the Location a client is sent, and that nothing reaches the upstream. */
class RedirectIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - { id: vars, uri: /old/*, plugins: { redirect: { uri: "/new/$arg_id?from=$host", ret_code: 301, append_query_string: true } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: regex, uri: /docs/*, plugins: { redirect: { regex_uri: ["^/docs/(.*)/page$", "/manual/$1"] } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: https, uri: /secure/*, plugins: { redirect: { http_to_https: true } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: raw, uri: /raw*, plugins: { redirect: { regex_uri: ["^/raw", "/new"] } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: encode, uri: /enc, plugins: { redirect: { uri: "/a b/$arg_x", encode_uri: true } }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()));
    }

    private static String location(HttpResponse<String> response) {
        return response.headers().firstValue("Location").orElseThrow();
    }

    @Test
    void locationsAreBuiltAsApisixBuildsThem() {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            HttpResponse<String> vars = gw.get("/old/x?id=7");
            assertEquals(301, vars.statusCode());
            assertEquals("/new/7?from=127.0.0.1&id=7", location(vars), "variables, then the client's query appended");

            HttpResponse<String> regex = gw.get("/docs/install/page");
            assertEquals(302, regex.statusCode());
            assertEquals("/manual/install", location(regex));
            assertEquals(200, gw.get("/docs/other").statusCode(), "no match: no redirect, the request goes on");

            HttpResponse<String> encoded = gw.get("/enc?x=%C3%A9%0D%0AX-Injected:%201");
            assertEquals("/a%20b/%C3%A9X-Injected:%201", location(encoded), "encoded, and CR/LF never reach the header");
            assertEquals(before + 1, upstream.requestCount(), "only the unmatched request was proxied");
        }
    }

    @Test
    void noRequestCanSplitTheLocationHeader() throws Exception {
        try (TestGateway gw = gateway(); java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.port())) {
            // raw CR LF in the decoded path around a regex_uri match, and U+010D U+010A, which a
            // one-byte-per-char writer would turn into CR LF
            socket.getOutputStream().write(("GET /raw/%0D%0ASet-Cookie:%20a=1/x%C4%8D%C4%8AX-Evil:%201 HTTP/1.1\r\n"
                    + "Host: localhost\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            String head = answer.substring(0, answer.indexOf("\r\n\r\n"));
            org.junit.jupiter.api.Assertions.assertFalse(head.contains("\r\nSet-Cookie"), head);
            org.junit.jupiter.api.Assertions.assertFalse(head.contains("\r\nX-Evil"), head);
            org.junit.jupiter.api.Assertions.assertTrue(head.startsWith("HTTP/1.1 302"), head);
        }
    }

    @Test
    void plainHttpGoesToHttpsWithTheMethodKept() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> get = gw.get("/secure/a?b=1");
            assertEquals(301, get.statusCode());
            assertEquals("https://127.0.0.1/secure/a?b=1", location(get));
            HttpResponse<String> post = gw.send(gw.request("/secure/a").POST(HttpRequest.BodyPublishers.ofString("x")).build());
            assertEquals(308, post.statusCode(), "308 keeps the method and body");
            HttpResponse<String> behindTls = gw.send(gw.request("/secure/a").header("X-Forwarded-Proto", "https").GET().build());
            assertEquals(200, behindTls.statusCode(), "already https at the client's side of a TLS terminator");
        }
    }
}
