package io.tidegate.plugins.jwtauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** jwt-auth with the test kit (after APISIX's t/plugin/jwt-auth*.t). */
class JwtAuthPluginTest {
    private static final JwtAuthPlugin PLUGIN = new JwtAuthPlugin();

    private static String credential(String key, String algorithm) {
        ObjectNode node = JsonNodeFactory.instance.objectNode().put("key", key).put("algorithm", algorithm);
        if (algorithm.startsWith("HS")) {
            node.put("secret", "secret-of-" + key);
        } else {
            node.put("public_key", Tokens.pem(Tokens.publicKey(algorithm)));
        }
        return node.toString();
    }

    private static PluginInstance instance(String routeConfig, Map<String, String> credentials) throws PluginConfigException {
        return PluginRunner.create(PLUGIN, routeConfig, credentials);
    }

    private static PluginInstance hs256() throws PluginConfigException {
        Map<String, String> consumers = new LinkedHashMap<>();
        consumers.put("jack", credential("user-key", "HS256"));
        consumers.put("rose", credential("rose-key", "HS256"));
        return instance("{}", consumers);
    }

    private static String hsToken(String key, String secret) {
        return Tokens.claims(key).sign(Algorithm.HMAC256(secret));
    }

    private static TestContext bearer(String token) {
        return TestContext.get("/hello").header("Authorization", "Bearer " + token).consumers("jack", "rose", "guest");
    }

    private static void assertRejected(PhaseResult result, String message) {
        assertEquals(401, result.status());
        assertEquals("{\"message\":\"" + message + "\"}\n", new String(result.body(), StandardCharsets.UTF_8));
        assertEquals(List.of("Bearer realm=\"jwt\""), result.headers().get("WWW-Authenticate"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512"})
    void acceptsTokensSignedWithEachAlgorithm(String algorithm) throws Exception {
        PluginInstance jwt = instance("{}", Map.of("jack", credential("k", algorithm)));
        String token = Tokens.claims("k").sign(Tokens.signer(algorithm, "secret-of-k"));
        TestContext context = bearer(token);
        assertTrue(jwt.rewrite(context).proceeds(), algorithm);
        assertEquals("jack", context.consumer().orElseThrow());
        assertEquals("jack", context.upstreamRequest().header("X-Consumer-Username"));
    }

    @Test
    void acceptsEdDsaTokens() throws Exception {
        PluginInstance jwt = instance("{}", Map.of("jack", credential("k", "EdDSA")));
        TestContext context = bearer(Tokens.edDsa("k"));
        assertTrue(jwt.rewrite(context).proceeds());
        assertEquals("jack", context.consumer().orElseThrow());
        assertRejected(jwt.rewrite(bearer(tamperSignature(Tokens.edDsa("k")))), "failed to verify jwt");
    }

    /** Changes one character well inside the signature (the last one may only carry padding bits). */
    private static String tamperSignature(String token) {
        int at = token.lastIndexOf('.') + 10;
        char replacement = token.charAt(at) == 'A' ? 'B' : 'A';
        return token.substring(0, at) + replacement + token.substring(at + 1);
    }

    @Test
    void missingToken() throws Exception {
        assertRejected(hs256().rewrite(TestContext.get("/hello")), "Missing JWT token in request");
    }

    @Test
    void unparsableToken() throws Exception {
        assertRejected(hs256().rewrite(bearer("not-a-jwt")), "JWT token invalid");
    }

    @Test
    void tokenWithoutKeyClaim() throws Exception {
        String token = JWT.create().withClaim("sub", "x").sign(Algorithm.HMAC256("secret-of-user-key"));
        assertRejected(hs256().rewrite(bearer(token)), "missing user key in JWT token");
    }

    @Test
    void tokenWithUnknownKey() throws Exception {
        assertRejected(hs256().rewrite(bearer(hsToken("nobody", "whatever"))), "Invalid user key in JWT token");
    }

    @Test
    void wrongSignatureExpiredAndNotYetValidAreAllFailedToVerify() throws Exception {
        PluginInstance jwt = hs256();
        assertRejected(jwt.rewrite(bearer(hsToken("user-key", "wrong-secret"))), "failed to verify jwt");
        String expired = JWT.create().withClaim("key", "user-key").withExpiresAt(Instant.now().minusSeconds(30))
                .sign(Algorithm.HMAC256("secret-of-user-key"));
        assertRejected(jwt.rewrite(bearer(expired)), "failed to verify jwt");
        String future = Tokens.claims("user-key").withNotBefore(Instant.now().plusSeconds(300))
                .sign(Algorithm.HMAC256("secret-of-user-key"));
        assertRejected(jwt.rewrite(bearer(future)), "failed to verify jwt");
    }

    @Test
    void aVerifiedTokenIsRememberedButStillExpires() throws Exception {
        PluginInstance jwt = instance("{}", Map.of("jack", "{\"key\": \"k\", \"secret\": \"s\"}"));
        String shortLived = JWT.create().withClaim("key", "k").withExpiresAt(Instant.now().plusSeconds(2)).sign(Algorithm.HMAC256("s"));
        assertTrue(jwt.rewrite(bearer(shortLived)).proceeds());
        assertTrue(jwt.rewrite(bearer(shortLived)).proceeds(), "second use, from the cache");
        assertRejected(jwt.rewrite(bearer(tamperSignature(shortLived))), "failed to verify jwt");
        Thread.sleep(3100); // exp has whole-second precision
        assertRejected(jwt.rewrite(bearer(shortLived)), "failed to verify jwt");
    }

    @Test
    void keyNamingAnotherConsumerFails() throws Exception {
        // signed with jack's secret but claiming to be rose
        assertRejected(hs256().rewrite(bearer(hsToken("rose-key", "secret-of-user-key"))), "failed to verify jwt");
    }

    @Test
    void algNoneIsRejected() throws Exception {
        String none = JWT.create().withClaim("key", "user-key").withExpiresAt(Instant.now().plusSeconds(60)).sign(Algorithm.none());
        assertRejected(hs256().rewrite(bearer(none)), "failed to verify jwt");
    }

    @Test
    void algorithmConfusionIsRejected() throws Exception {
        // an RS256 consumer; the attacker signs HS256 with the consumer's public key as the HMAC secret
        String publicPem = Tokens.pem(Tokens.RSA.getPublic());
        PluginInstance jwt = instance("{}", Map.of("jack", credential("rsa-key", "RS256")));
        String forged = Tokens.claims("rsa-key").sign(Algorithm.HMAC256(publicPem));
        assertRejected(jwt.rewrite(bearer(forged)), "failed to verify jwt");
    }

    @Test
    void tokenFromHeaderThenQueryThenCookie() throws Exception {
        PluginInstance jwt = hs256();
        String jack = hsToken("user-key", "secret-of-user-key");
        String rose = hsToken("rose-key", "secret-of-rose-key");
        TestContext both = TestContext.get("/hello?jwt=" + rose).header("Authorization", jack).consumers("jack", "rose");
        assertTrue(jwt.rewrite(both).proceeds());
        assertEquals("jack", both.consumer().orElseThrow(), "header first, no Bearer prefix needed");
        TestContext query = TestContext.get("/hello?jwt=" + rose).consumers("jack", "rose");
        assertTrue(jwt.rewrite(query).proceeds());
        assertEquals("rose", query.consumer().orElseThrow());
        TestContext cookie = TestContext.get("/hello").var("cookie_jwt", jack).consumers("jack", "rose");
        assertTrue(jwt.rewrite(cookie).proceeds());
        assertEquals("jack", cookie.consumer().orElseThrow());
    }

    @Test
    void hideCredentialsRemovesWhereTheTokenCameFrom() throws Exception {
        Map<String, String> consumers = Map.of("jack", credential("user-key", "HS256"));
        PluginInstance jwt = instance("{\"hide_credentials\": true}", consumers);
        String token = hsToken("user-key", "secret-of-user-key");
        TestContext header = bearer(token);
        jwt.rewrite(header);
        assertNull(header.upstreamRequest().header("Authorization"));
        TestContext query = TestContext.get("/hello?a=1&jwt=" + token + "&b=2").consumers("jack");
        jwt.rewrite(query);
        assertEquals("a=1&b=2", query.upstreamRequest().query());
        TestContext cookie = TestContext.get("/hello").var("cookie_jwt", token)
                .header("Cookie", "theme=dark; jwt=" + token + "; lang=en").consumers("jack");
        jwt.rewrite(cookie);
        assertEquals("theme=dark; lang=en", cookie.upstreamRequest().header("Cookie"));
    }

    @Test
    void lifetimeGracePeriodAndClaimsToVerify() throws Exception {
        String expiredRecently = JWT.create().withClaim("key", "k").withExpiresAt(Instant.now().minusSeconds(5))
                .sign(Algorithm.HMAC256("s"));
        PluginInstance strict = instance("{}", Map.of("jack", "{\"key\": \"k\", \"secret\": \"s\"}"));
        assertRejected(strict.rewrite(bearer(expiredRecently)), "failed to verify jwt");
        PluginInstance graceful = instance("{}", Map.of("jack", "{\"key\": \"k\", \"secret\": \"s\", \"lifetime_grace_period\": 30}"));
        assertTrue(graceful.rewrite(bearer(expiredRecently)).proceeds());
        PluginInstance nbfOnly = instance("{\"claims_to_verify\": [\"nbf\"]}", Map.of("jack", "{\"key\": \"k\", \"secret\": \"s\"}"));
        String expiredButValidFrom = JWT.create().withClaim("key", "k").withExpiresAt(Instant.now().minusSeconds(5))
                .withNotBefore(Instant.now().minusSeconds(60)).sign(Algorithm.HMAC256("s"));
        assertTrue(nbfOnly.rewrite(bearer(expiredButValidFrom)).proceeds(), "exp is not checked when not listed");
    }

    private static final Map<String, String> JACK = Map.of("jack", "{\"key\": \"k\", \"secret\": \"s\"}");

    /** Jack's credential, and one for the anonymous consumer {@code guest} (the test kit knows the consumers that have one). */
    private static Map<String, String> withGuest(String jack) {
        Map<String, String> consumers = new LinkedHashMap<>();
        consumers.put("jack", jack);
        consumers.put("guest", "{\"key\": \"guest-key\", \"secret\": \"guest-secret\"}");
        return consumers;
    }

    private static String withoutExp() {
        return JWT.create().withClaim("key", "k").sign(Algorithm.HMAC256("s"));
    }

    /** APISIX 3.17+, t/plugin/jwt-auth.t TEST 56: claims are checked when present, so nothing makes it expire. */
    @Test
    void aTokenWithoutExpNeverExpiresWhenClaimsToVerifyIsNotConfigured() throws Exception {
        PluginInstance jwt = instance("{}", JACK);
        assertTrue(jwt.rewrite(bearer(withoutExp())).proceeds());
        assertTrue(jwt.rewrite(bearer(withoutExp())).proceeds(), "again, from the cache");
        assertTrue(instance("{\"claims_to_verify\": []}", JACK).rewrite(bearer(withoutExp())).proceeds(),
                "an empty list means the same");
    }

    /** APISIX 3.17+: a claim the route lists is required; listing exp is how a route refuses tokens that never expire. */
    @Test
    void listingExpRequiresIt() throws Exception {
        PluginInstance jwt = instance("{\"claims_to_verify\": [\"exp\"]}", JACK);
        assertRejected(jwt.rewrite(bearer(withoutExp())), "failed to verify jwt");
        String expiring = JWT.create().withClaim("key", "k").withExpiresAt(Instant.now().plusSeconds(60)).sign(Algorithm.HMAC256("s"));
        assertTrue(jwt.rewrite(bearer(expiring)).proceeds());
        String expired = JWT.create().withClaim("key", "k").withExpiresAt(Instant.now().minusSeconds(60)).sign(Algorithm.HMAC256("s"));
        assertRejected(jwt.rewrite(bearer(expired)), "failed to verify jwt");
        String notYetValid = JWT.create().withClaim("key", "k").withExpiresAt(Instant.now().plusSeconds(600))
                .withNotBefore(Instant.now().plusSeconds(300)).sign(Algorithm.HMAC256("s"));
        assertTrue(jwt.rewrite(bearer(notYetValid)).proceeds(), "nbf is not checked when the list leaves it out");
    }

    /** APISIX 3.17+, t/plugin/jwt-auth-more-algo.t TEST 13: a token with exp but no nbf, on a route listing nbf. */
    @Test
    void everyListedClaimIsRequired() throws Exception {
        String expOnly = Tokens.claims("k").sign(Algorithm.HMAC256("s"));
        assertRejected(instance("{\"claims_to_verify\": [\"nbf\"]}", JACK).rewrite(bearer(expOnly)), "failed to verify jwt");
        assertRejected(instance("{\"claims_to_verify\": [\"exp\", \"nbf\"]}", JACK).rewrite(bearer(expOnly)),
                "failed to verify jwt");
        String both = Tokens.claims("k").withNotBefore(Instant.now().minusSeconds(5)).sign(Algorithm.HMAC256("s"));
        assertTrue(instance("{\"claims_to_verify\": [\"exp\", \"nbf\"]}", JACK).rewrite(bearer(both)).proceeds());
    }

    /** APISIX 3.17+, t/plugin/jwt-auth.t TEST 58: an empty list does not turn the checks off. */
    @Test
    void anEmptyClaimsToVerifyStillRefusesExpiredTokens() throws Exception {
        String expired = JWT.create().withClaim("key", "k").withExpiresAt(Instant.now().minusSeconds(60)).sign(Algorithm.HMAC256("s"));
        assertRejected(instance("{\"claims_to_verify\": []}", JACK).rewrite(bearer(expired)), "failed to verify jwt");
    }

    @Test
    void aRequiredClaimMissingSendsTheRequestToTheAnonymousConsumer() throws Exception {
        PluginInstance jwt = instance("{\"claims_to_verify\": [\"exp\"], \"anonymous_consumer\": \"guest\"}",
                withGuest(JACK.get("jack")));
        TestContext context = bearer(withoutExp());
        assertTrue(jwt.rewrite(context).proceeds());
        assertEquals("guest", context.consumer().orElseThrow());
    }

    @Test
    void base64Secret() throws Exception {
        byte[] raw = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
        String secret = Base64.getEncoder().encodeToString(raw);
        PluginInstance jwt = instance("{}", Map.of("jack", "{\"key\": \"k\", \"secret\": \"" + secret + "\", \"base64_secret\": true}"));
        assertTrue(jwt.rewrite(bearer(Tokens.claims("k").sign(Algorithm.HMAC256(raw)))).proceeds());
    }

    @Test
    void customKeyClaimName() throws Exception {
        PluginInstance jwt = instance("{\"key_claim_name\": \"iss\"}", Map.of("jack", "{\"key\": \"k\", \"secret\": \"s\"}"));
        String token = JWT.create().withIssuer("k").withExpiresAt(Instant.now().plusSeconds(60)).sign(Algorithm.HMAC256("s"));
        assertTrue(jwt.rewrite(bearer(token)).proceeds());
    }

    @Test
    void anonymousConsumerTakesFailedRequests() throws Exception {
        PluginInstance jwt = instance("{\"anonymous_consumer\": \"guest\"}", withGuest(credential("user-key", "HS256")));
        TestContext anonymous = TestContext.get("/hello").consumers("jack", "guest");
        assertTrue(jwt.rewrite(anonymous).proceeds());
        assertEquals("guest", anonymous.consumer().orElseThrow());
        assertEquals("anonymous_consumer", assertThrows(PluginConfigException.class,
                () -> instance("{\"anonymous_consumer\": \"ghost\"}", Map.of())).field());
    }

    @Test
    void invalidCredentialsNameTheField() {
        record Case(String credential, String field) {}
        for (Case c : List.of(
                new Case("{\"secret\": \"s\"}", "key"),
                new Case("{\"key\": \"k\"}", "secret"),
                new Case("{\"key\": \"k\", \"algorithm\": \"RS256\"}", "public_key"),
                new Case("{\"key\": \"k\", \"algorithm\": \"RS256\", \"public_key\": \"garbage\"}", "public_key"),
                new Case("{\"key\": \"k\", \"algorithm\": \"ES256\", \"public_key\": " + quoted(Tokens.pem(Tokens.RSA.getPublic())) + "}", "public_key"),
                new Case("{\"key\": \"k\", \"secret\": \"s\", \"algorithm\": \"HS1024\"}", "algorithm"),
                new Case("{\"key\": \"k\", \"secret\": \"s\", \"lifetime_grace_period\": -1}", "lifetime_grace_period"),
                new Case("{\"key\": \"k\", \"secret\": \"s\", \"colour\": 1}", "colour"),
                new Case("{\"key\": \"k\", \"secret\": \"\"}", "secret"),
                new Case("{\"key\": \"k\", \"secret\": \"not base64!\", \"base64_secret\": true}", "secret"),
                new Case("{\"key\": \"k\", \"public_key\": " + quoted(Tokens.pem(Tokens.RSA.getPublic())) + "}", "secret"),
                new Case("{\"key\": \"k\", \"algorithm\": \"EdDSA\", \"public_key\": \"\"}", "public_key"))) {
            PluginConfigException e = assertThrows(PluginConfigException.class,
                    () -> instance("{}", Map.of("jack", c.credential())), c.credential());
            assertEquals(c.field(), e.field(), c.credential());
        }
    }

    @Test
    void credentialsAreCheckedBySchemaAndByWhatOnlyCodeCanSay() {
        assertEquals("public_key: is required (a non-empty string)", refusal("{\"key\": \"k\", \"algorithm\": \"PS256\"}"));
        assertEquals("secret: is required (a non-empty string)", refusal("{\"key\": \"k\"}"));
        assertEquals("public_key: must be a PEM public key (-----BEGIN PUBLIC KEY-----)",
                refusal("{\"key\": \"k\", \"algorithm\": \"RS256\", \"public_key\": \"garbage\"}"));
        assertEquals("secret: must be a string matching ^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
                refusal("{\"key\": \"k\", \"secret\": \"not base64!\", \"base64_secret\": true}"));
    }

    private static String refusal(String credential) {
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> instance("{}", Map.of("jack", credential)));
        return e.field() + ": " + e.getMessage();
    }

    @Test
    void apisixSigningOptionsAreAcceptedAndUnused() throws Exception {
        PluginInstance jwt = instance("{}", Map.of("jack", "{\"key\": \"k\", \"secret\": \"s\", \"private_key\": \"x\", \"exp\": 60}"));
        assertTrue(jwt.rewrite(bearer(Tokens.claims("k").sign(Algorithm.HMAC256("s")))).proceeds());
    }

    @Test
    void aCredentialNeverPrintsItsSecret() {
        String printed = new JwtAuthPlugin.Credential("k", "hush", null, "HS256", false, 0).toString();
        assertFalse(printed.contains("hush"), printed);
    }

    @Test
    void theRealmNamesTheChallenge() throws Exception {
        PhaseResult refused = instance("{\"realm\": \"orders api\"}", JACK).rewrite(TestContext.get("/hello"));
        assertEquals(List.of("Bearer realm=\"orders api\""), refused.headers().get("WWW-Authenticate"));
        assertEquals("realm", field(PluginRunner.violations(PLUGIN, "{\"realm\": \"say \\\"hi\\\"\"}")));
    }

    @Test
    void storeInCtxIsRefusedNotIgnored() throws Exception {
        instance("{\"store_in_ctx\": false}", JACK);
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> instance("{\"store_in_ctx\": true}", JACK));
        assertEquals("store_in_ctx", e.field());
    }

    @Test
    void aFailedTokenIsHiddenOnTheAnonymousPathToo() throws Exception {
        PluginInstance jwt = instance("{\"anonymous_consumer\": \"guest\", \"hide_credentials\": true}", withGuest(JACK.get("jack")));
        TestContext header = bearer(hsToken("k", "wrong-secret"));
        assertTrue(jwt.rewrite(header).proceeds());
        assertEquals("guest", header.consumer().orElseThrow());
        assertNull(header.upstreamRequest().header("Authorization"));
        TestContext query = TestContext.get("/hello?a=1&jwt=not-a-jwt").consumers("jack", "guest");
        assertTrue(jwt.rewrite(query).proceeds());
        assertEquals("a=1", query.upstreamRequest().query());
    }

    @Test
    void aRejectedTokenIsLoggedWithItsReason() throws Exception {
        PluginRunner.clearLogged();
        assertRejected(hs256().rewrite(bearer(hsToken("user-key", "wrong-secret"))), "failed to verify jwt");
        assertTrue(PluginRunner.logged().stream().anyMatch(line -> line.startsWith("WARN [jwt-auth route:1] token for consumer jack rejected")),
                PluginRunner.logged().toString());
    }

    @Test
    void routeConfigurationsTheSchemaRefuses() {
        record Case(String route, String field) {}
        for (Case c : List.of(
                new Case("{\"header\": \"\"}", "header"),
                new Case("{\"cookie\": 1}", "cookie"),
                new Case("{\"key_claim_name\": \"\"}", "key_claim_name"),
                new Case("{\"hide_credentials\": \"yes\"}", "hide_credentials"),
                new Case("{\"anonymous_consumer\": \"\"}", "anonymous_consumer"),
                new Case("{\"colour\": \"blue\"}", "colour"))) {
            assertEquals(c.field(), field(PluginRunner.violations(PLUGIN, c.route())), c.route());
        }
    }

    /** The field of the only violation. */
    private static String field(List<String> violations) {
        assertEquals(1, violations.size(), violations.toString());
        return violations.get(0).substring(0, violations.get(0).indexOf(": "));
    }

    @Test
    void invalidClaimsToVerifyNameTheItem() {
        record Case(String route, String field) {}
        for (Case c : List.of(
                new Case("{\"claims_to_verify\": \"exp\"}", "claims_to_verify"),
                new Case("{\"claims_to_verify\": [\"exp\", \"iat\"]}", "claims_to_verify[1]"),
                new Case("{\"claims_to_verify\": [\"exp\", \"exp\"]}", "claims_to_verify[1]"))) {
            PluginConfigException e = assertThrows(PluginConfigException.class, () -> instance(c.route(), JACK), c.route());
            assertEquals(c.field(), e.field(), c.route());
        }
    }

    private static String quoted(String text) {
        return JsonNodeFactory.instance.textNode(text).toString();
    }
}
