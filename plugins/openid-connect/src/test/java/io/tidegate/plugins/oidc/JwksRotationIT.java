package io.tidegate.plugins.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The JWKS cache against a provider that rotates its keys: a token signed with a new key makes the
 * gateway fetch the JWKS again (once, however many such tokens arrive), and a provider that is
 * down fails bearer tokens closed.
 */
class JwksRotationIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private final AtomicReference<List<RSAKey>> published = new AtomicReference<>();
    private final AtomicInteger jwksFetches = new AtomicInteger();

    private HttpServer provider() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/.well-known/openid-configuration", exchange -> answer(exchange,
                "{\"issuer\":\"" + base + "\",\"jwks_uri\":\"" + base + "/jwks\"}"));
        server.createContext("/jwks", exchange -> {
            jwksFetches.incrementAndGet();
            answer(exchange, new JWKSet(List.copyOf(published.get())).toPublicJWKSet().toString());
        });
        server.start();
        return server;
    }

    private static void answer(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static String sign(RSAKey key, String issuer) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer(issuer).subject("alice").expirationTime(new Date(System.currentTimeMillis() + 300_000)).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static TestGateway gateway(HttpServer provider) {
        return PluginGateway.start("""
                routes:
                  - id: 1
                    uri: /api
                    plugins: { openid-connect: { client_id: gw, discovery: "http://127.0.0.1:%2$d/.well-known/openid-configuration", bearer_only: true, use_jwks: true } }
                    upstream: { nodes: { "%1$s": 1 } }
                """.formatted(upstream.address(), provider.getAddress().getPort()));
    }

    private static int status(TestGateway gw, String token) {
        return gw.send(gw.request("/api").header("Authorization", "Bearer " + token).GET().build()).statusCode();
    }

    @Test
    void aNewKeyIsFetchedOnceAndUnknownKidsCannotHammerTheProvider() throws Exception {
        RSAKey first = new RSAKeyGenerator(2048).keyID("first").generate();
        RSAKey second = new RSAKeyGenerator(2048).keyID("second").generate();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("stranger").generate();
        published.set(List.of(first));
        HttpServer provider = provider();
        String issuer = "http://127.0.0.1:" + provider.getAddress().getPort();
        try (TestGateway gw = gateway(provider)) {
            assertEquals(200, status(gw, sign(first, issuer)));
            assertEquals(1, jwksFetches.get());

            published.set(List.of(first, second));  // the provider rotates
            Thread.sleep(Provider.MIN_JWKS_REFRESH.toMillis() + 200);
            assertEquals(200, status(gw, sign(second, issuer)), "an unknown kid refreshes the JWKS");
            assertEquals(2, jwksFetches.get());

            for (int i = 0; i < 20; i++) {
                assertEquals(401, status(gw, sign(stranger, issuer)), "a key the provider never published");
            }
            assertTrue(jwksFetches.get() <= 3, "unknown kids refresh at most once per " + Provider.MIN_JWKS_REFRESH + ": " + jwksFetches.get());
        } finally {
            provider.stop(0);
        }
    }

    @Test
    void aProviderThatIsDownFailsBearerTokensClosed() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();
        published.set(List.of(key));
        HttpServer provider = provider();
        String issuer = "http://127.0.0.1:" + provider.getAddress().getPort();
        provider.stop(0);
        try (TestGateway gw = gateway(provider)) {
            int before = upstream.requestCount();
            assertEquals(401, status(gw, sign(key, issuer)));
            assertEquals(before, upstream.requestCount());
        }
    }
}
