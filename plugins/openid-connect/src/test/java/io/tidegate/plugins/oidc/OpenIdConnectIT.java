package io.tidegate.plugins.oidc;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * openid-connect end to end against a real OpenID provider (mock-oauth2-server: discovery, JWKS,
 * authorize, token, userinfo, introspection and end-session endpoints, RS256 tokens).
 */
class OpenIdConnectIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static MockOAuth2Server provider;

    @BeforeAll
    static void startProvider() {
        provider = new MockOAuth2Server();
        provider.start();
    }

    @AfterAll
    static void stopProvider() {
        provider.shutdown();
    }

    private static String discovery() {
        return provider.wellKnownUrl("idp").toString();
    }

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - id: jwks
                    uri: /api/*
                    plugins: { openid-connect: { client_id: gw, discovery: "%2$s", bearer_only: true, use_jwks: true } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: scoped
                    uri: /orders
                    plugins: { openid-connect: { client_id: gw, discovery: "%2$s", bearer_only: true, use_jwks: true, required_scopes: ["orders:read"], claim_validator: { audience: { match_with_client_id: true } } } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: introspected
                    uri: /introspected
                    plugins: { openid-connect: { client_id: gw, client_secret: s3cret, discovery: "%2$s", bearer_only: true } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: app
                    uri: /app/*
                    plugins: { openid-connect: { client_id: gw, client_secret: s3cret, discovery: "%2$s", scope: "openid profile", use_pkce: true, use_nonce: true, logout_path: /app/logout, post_logout_redirect_uri: "https://example.com/bye", session: { secret: "0123456789abcdef-session-secret" } } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: other-client
                    uri: /other/*
                    plugins: { openid-connect: { client_id: other, client_secret: s3cret, discovery: "%2$s", session: { secret: "0123456789abcdef-session-secret" } } }
                    upstream: { nodes: { "%1$s": 1 } }
                """.formatted(upstream.address(), discovery()));
    }

    private static String token(String issuer, String audience, Map<String, Object> claims, long expirySeconds) {
        return provider.issueToken(issuer, "alice", audience, claims, expirySeconds).serialize();
    }

    private static HttpResponse<String> withBearer(TestGateway gw, String path, String token) {
        return gw.send(gw.request(path).header("Authorization", "Bearer " + token).header("X-Userinfo", "forged").GET().build());
    }

    private static JsonNode decoded(String base64) throws Exception {
        return JSON.readTree(Base64.getDecoder().decode(base64));
    }

    @Test
    void aTokenSignedByTheProviderPassesWithItsClaimsUpstream() throws Exception {
        try (TestGateway gw = gateway()) {
            String token = token("idp", "gw", Map.of("scope", "openid"), 300);
            HttpResponse<String> response = withBearer(gw, "/api/x", token);
            assertEquals(200, response.statusCode(), response.body());
            JsonNode headers = json(response).get("headers");
            assertEquals(token, headers.get("x-access-token").asText());
            JsonNode userinfo = decoded(headers.get("x-userinfo").asText());
            assertEquals("alice", userinfo.get("sub").asText(), "the client's forged X-Userinfo is replaced by the token's claims");
            assertEquals(200, withBearer(gw, "/api/y", token).statusCode(), "again, from the cached JWKS");
        }
    }

    @Test
    void missingForgedExpiredAndForeignTokensNeverReachTheUpstream() {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            HttpResponse<String> none = gw.get("/api/x");
            assertEquals(401, none.statusCode());
            assertEquals("Bearer realm=\"apisix\"", none.headers().firstValue("WWW-Authenticate").orElseThrow());

            String valid = token("idp", "gw", Map.of(), 300);
            String[] parts = valid.split("\\.");
            String alteredPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("alice", "admin").getBytes(StandardCharsets.UTF_8));
            for (String bad : List.of("not-a-jwt", parts[0] + "." + alteredPayload + "." + parts[2],
                    token("idp", "gw", Map.of(), -60), token("other-issuer", "gw", Map.of(), 300),
                    "eyJhbGciOiJub25lIn0." + parts[1] + ".")) {
                HttpResponse<String> refused = withBearer(gw, "/api/x", bad);
                assertEquals(401, refused.statusCode(), bad);
                assertTrue(refused.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer realm=\"apisix\", error=\"invalid_token\""));
            }
            assertEquals(before, upstream.requestCount(), "nothing unauthenticated reached the upstream");
        }
    }

    @Test
    void requiredScopesAndAudience() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> noScope = withBearer(gw, "/orders", token("idp", "gw", Map.of("scope", "openid"), 300));
            assertEquals(403, noScope.statusCode());
            assertEquals("{\"error\":\"required scopes orders:read not present\"}", noScope.body());
            HttpResponse<String> otherAudience = withBearer(gw, "/orders", token("idp", "someone-else", Map.of("scope", "openid orders:read"), 300));
            assertEquals(403, otherAudience.statusCode());
            assertEquals("{\"error\":\"mismatched audience\"}", otherAudience.body());
            assertEquals(200, withBearer(gw, "/orders", token("idp", "gw", Map.of("scope", "openid orders:read"), 300)).statusCode());
        }
    }

    @Test
    void withoutAKeyTheProviderIntrospectsTheToken() {
        try (TestGateway gw = gateway()) {
            String token = token("idp", "gw", Map.of(), 300);
            HttpResponse<String> active = withBearer(gw, "/introspected", token);
            assertEquals(200, active.statusCode(), active.body());
            int asked = introspections();
            assertEquals(200, withBearer(gw, "/introspected", token).statusCode());
            assertEquals(asked, introspections(), "an active token is remembered, not introspected again");
            HttpResponse<String> inactive = withBearer(gw, "/introspected", "made-up-token");
            assertEquals(401, inactive.statusCode());
            assertTrue(inactive.headers().firstValue("WWW-Authenticate").orElseThrow().contains("error=\"invalid_token\""));
        }
    }

    @Test
    void aBrowserLogsInThroughTheProviderAndOut() throws Exception {
        try (TestGateway gw = gateway()) {
            HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            Map<String, String> jar = new LinkedHashMap<>();

            HttpResponse<String> first = send(browser, gw.uri("/app/page?x=1"), jar);
            assertEquals(302, first.statusCode());
            URI authorize = URI.create(first.headers().firstValue("Location").orElseThrow());
            Map<String, String> asked = query(authorize);
            assertTrue(authorize.toString().startsWith(provider.baseUrl() + "idp/authorize"), authorize.toString());
            assertEquals("gw", asked.get("client_id"));
            assertEquals(gw.uri("/app/page/.apisix/redirect").toString(), asked.get("redirect_uri"));
            assertNotNull(asked.get("nonce"));
            assertEquals("S256", asked.get("code_challenge_method"));
            assertFalse(jar.isEmpty(), "the login's state is in a cookie");

            HttpResponse<String> atProvider = send(browser, authorize, new LinkedHashMap<>());
            URI callback = URI.create(atProvider.headers().firstValue("Location").orElseThrow());
            HttpResponse<String> forged = send(browser, URI.create(callback.toString().replaceAll("state=[^&]+", "state=forged")), new LinkedHashMap<>(jar));
            assertEquals(302, forged.statusCode(), "a callback whose state does not match starts a new login");
            assertTrue(forged.headers().firstValue("Location").orElseThrow().contains("/idp/authorize"));

            Map<String, String> looping = new LinkedHashMap<>(jar);
            URI forgedCallback = URI.create(callback.toString().replaceAll("state=[^&]+", "state=forged"));
            for (int i = 0; i < 3; i++) {
                assertEquals(302, send(browser, forgedCallback, looping).statusCode(), "restart " + (i + 1));
            }
            assertEquals(401, send(browser, forgedCallback, looping).statusCode(), "a login that keeps failing stops after three restarts");

            HttpResponse<String> back = send(browser, callback, jar);
            assertEquals(302, back.statusCode(), back.body());
            assertEquals("/app/page?x=1", back.headers().firstValue("Location").orElseThrow());

            HttpResponse<String> page = send(browser, gw.uri("/app/page?x=1"), jar);
            assertEquals(200, page.statusCode(), page.body());
            JsonNode headers = json(page).get("headers");
            assertNotNull(headers.get("x-access-token"));
            JsonNode idToken = decoded(headers.get("x-id-token").asText());
            assertEquals("gw", idToken.get("aud").isArray() ? idToken.get("aud").get(0).asText() : idToken.get("aud").asText());
            assertEquals(asked.get("nonce"), idToken.get("nonce").asText());
            assertNotNull(decoded(headers.get("x-userinfo").asText()).get("sub"));

            assertEquals(302, send(browser, gw.uri("/other/page"), new LinkedHashMap<>(jar)).statusCode(),
                    "a session made for client gw is no session for client other, though secret and cookie name are the same");

            Map<String, String> tampered = new LinkedHashMap<>(jar);
            tampered.replaceAll((name, value) -> value.substring(0, value.length() - 4) + "AAAA");
            assertEquals(302, send(browser, gw.uri("/app/page"), tampered).statusCode(), "an altered session is no session");

            HttpResponse<String> logout = send(browser, gw.uri("/app/logout"), jar);
            assertEquals(302, logout.statusCode());
            assertTrue(logout.headers().firstValue("Location").orElseThrow().contains("/idp/endsession"), logout.headers().toString());
            assertTrue(logout.headers().firstValue("Location").orElseThrow().contains("post_logout_redirect_uri=https%3A%2F%2Fexample.com%2Fbye"));
            assertTrue(jar.isEmpty(), "the session cookies are cleared: " + jar);
        }
    }

    @Test
    void anExpiredAccessTokenIsRenewedWithoutANewLogin() throws Exception {
        try (TestGateway gw = gateway()) {
            HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            Map<String, String> jar = new LinkedHashMap<>();
            URI authorize = URI.create(send(browser, gw.uri("/app/page"), jar).headers().firstValue("Location").orElseThrow());
            URI callback = URI.create(send(browser, authorize, new LinkedHashMap<>()).headers().firstValue("Location").orElseThrow());
            // the provider's next tokens live 3 seconds, and so do those its refresh token gets: the
            // gateway counts whole seconds and the provider may say expires_in 2, so a renewed token
            // is still good for more than a second, long enough for the request after the renewal
            provider.enqueueCallback(new no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback("idp", "alice", "JWT", List.of("gw"), Map.of(), 3));
            assertEquals(302, send(browser, callback, jar).statusCode());
            String first = json(send(browser, gw.uri("/app/page"), jar)).get("headers").get("x-access-token").asText();

            Thread.sleep(3_200);
            HttpResponse<String> renewed = send(browser, gw.uri("/app/page"), jar);
            assertEquals(200, renewed.statusCode(), "served, not sent to log in again");
            String second = json(renewed).get("headers").get("x-access-token").asText();
            assertFalse(first.equals(second), "a new access token went upstream");
            assertFalse(renewed.headers().allValues("Set-Cookie").isEmpty(), "the renewed session reaches the browser");
            assertEquals(second, json(send(browser, gw.uri("/app/page"), jar)).get("headers").get("x-access-token").asText(),
                    "the next request uses the renewed session");
        }
    }

    /** How many introspection requests the provider has received so far. */
    private static int introspections() {
        while (true) {
            okhttp3.mockwebserver.RecordedRequest request;
            try {
                request = provider.takeRequest(50, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (RuntimeException noneLeft) {
                return introspected;
            }
            if (request.getPath() != null && request.getPath().contains("introspect")) {
                introspected++;
            }
        }
    }

    private static int introspected;

    /** GET with the jar's cookies; the answer's Set-Cookie updates the jar (Max-Age=0 removes). */
    private static HttpResponse<String> send(HttpClient browser, URI uri, Map<String, String> jar) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (!jar.isEmpty()) {
            List<String> pairs = new ArrayList<>();
            jar.forEach((name, value) -> pairs.add(name + "=" + value));
            request.header("Cookie", String.join("; ", pairs));
        }
        HttpResponse<String> response = browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (String cookie : response.headers().allValues("Set-Cookie")) {
            String pair = cookie.split(";", 2)[0];
            String name = pair.substring(0, pair.indexOf('='));
            if (cookie.contains("Max-Age=0")) {
                jar.remove(name);
            } else {
                jar.put(name, pair.substring(pair.indexOf('=') + 1));
            }
        }
        return response;
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }
}
