package io.tidegate.plugins.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** cors and csrf end to end: the packaged plugin jar in the real gateway, a browser's requests replayed by hand. */
class BrowserPluginsIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - id: cors
                    uri: /cors
                    plugins:
                      csrf: { key: "a-long-secret" }
                      cors: { allow_origins: "https://app.example,https://admin.example", allow_methods: "GET,POST", allow_headers: "Content-Type,apikey", expose_headers: "X-Total", max_age: 600, allow_credential: true }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: csrf
                    uri: /form
                    plugins: { csrf: { key: "a-long-secret" } }
                    upstream: { nodes: { "%1$s": 1 } }
                """.formatted(upstream.address()));
    }

    @Test
    void preflightIsAnsweredByTheGatewayBeforeOtherChecks() {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            HttpResponse<String> preflight = gw.send(gw.request("/cors").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST").build());
            assertEquals(200, preflight.statusCode(), "a preflight carries no csrf token; cors (4000) answers before csrf (2980) looks");
            assertEquals("", preflight.body());
            assertEquals("https://app.example", preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            assertEquals("GET,POST", preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow());
            assertEquals("Content-Type,apikey", preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow());
            assertEquals("600", preflight.headers().firstValue("Access-Control-Max-Age").orElseThrow());
            assertEquals("true", preflight.headers().firstValue("Access-Control-Allow-Credentials").orElseThrow());
            assertEquals("Origin", preflight.headers().firstValue("Vary").orElseThrow());
            assertEquals(before, upstream.requestCount(), "the preflight never reached the upstream");
        }
    }

    @Test
    void actualRequestsGetTheHeadersEvenWhenRefused() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> ok = gw.send(gw.request("/cors").header("Origin", "https://admin.example").GET().build());
            assertEquals(200, ok.statusCode());
            assertEquals("https://admin.example", ok.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            assertEquals("X-Total", ok.headers().firstValue("Access-Control-Expose-Headers").orElseThrow());
            HttpResponse<String> refused = gw.send(gw.request("/cors").header("Origin", "https://app.example").POST(HttpRequest.BodyPublishers.noBody()).build());
            assertEquals(401, refused.statusCode());
            assertEquals("https://app.example", refused.headers().firstValue("Access-Control-Allow-Origin").orElseThrow(),
                    "the browser can read the 401");
            HttpResponse<String> foreign = gw.send(gw.request("/cors").header("Origin", "https://evil.example").GET().build());
            assertTrue(foreign.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), foreign.headers().toString());
        }
    }

    @Test
    void wildcardWithCredentialsIsAConfigurationError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PluginGateway.start("""
                routes:
                  - { id: 1, uri: /x, plugins: { cors: { allow_credential: true } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address())));
        assertEquals("""
                test config is invalid:
                routes[0].plugins.cors.allow_credential: you can not set '*' for other option when 'allow_credential' is true""", e.getMessage());
    }

    @Test
    void csrfNeedsTheCookieBackInTheHeader() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> page = gw.get("/form");
            assertEquals(200, page.statusCode());
            String setCookie = page.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(setCookie.matches("apisix-csrf-token=[A-Za-z0-9+/=]+;path=/;SameSite=Lax;Expires=\\w{3}, \\d{2}-\\w{3}-\\d{2} \\d{2}:\\d{2}:\\d{2} GMT"), setCookie);
            String token = setCookie.substring("apisix-csrf-token=".length(), setCookie.indexOf(';'));

            int before = upstream.requestCount();
            assertRefused(gw.send(post(gw).build()), "no csrf token in headers");
            assertRefused(gw.send(post(gw).header("apisix-csrf-token", token).build()), "no csrf cookie");
            assertRefused(gw.send(post(gw).header("apisix-csrf-token", token).header("Cookie", "apisix-csrf-token=other").build()),
                    "csrf token mismatch");
            String forged = java.util.Base64.getEncoder().encodeToString("{\"random\":\"1\",\"expires\":1,\"sign\":\"00\"}".getBytes());
            assertRefused(gw.send(post(gw).header("apisix-csrf-token", forged).header("Cookie", "apisix-csrf-token=" + forged).build()),
                    "Failed to verify the csrf token signature");
            assertEquals(before, upstream.requestCount(), "no refused request reached the upstream");

            HttpResponse<String> accepted = gw.send(post(gw).header("apisix-csrf-token", token).header("Cookie", "apisix-csrf-token=" + token).build());
            assertEquals(200, accepted.statusCode(), accepted.body());
            assertFalse(accepted.headers().firstValue("Set-Cookie").orElseThrow().contains(token), "every response carries a fresh token");
        }
    }

    private static HttpRequest.Builder post(TestGateway gw) {
        return gw.request("/form").POST(HttpRequest.BodyPublishers.ofString("a=1"));
    }

    private static void assertRefused(HttpResponse<String> response, String message) {
        assertEquals(401, response.statusCode());
        assertEquals("{\"error_msg\":\"" + message + "\"}\n", response.body());
    }
}
