package io.tidegate.plugins.browser;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** csrf tokens: signed with the key, bounded in age, compatible with APISIX's layout. */
class CsrfTokensTest {
    private static final Instant MINTED = Instant.parse("2026-12-01T10:00:00Z");

    private static CsrfTokens at(Instant now, String key, long expires) {
        return new CsrfTokens(key, expires, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aTokenIsValidUntilItExpires() {
        String token = at(MINTED, "k", 60).mint();
        assertTrue(at(MINTED.plusSeconds(60), "k", 60).valid(token));
        assertFalse(at(MINTED.plusSeconds(61), "k", 60).valid(token));
        assertTrue(at(MINTED.plusSeconds(1_000_000), "k", 0).valid(token), "expires 0: never");
    }

    @Test
    void anotherKeyOrAnEditedTokenFails() {
        String token = at(MINTED, "k", 60).mint();
        assertFalse(at(MINTED, "other", 60).valid(token));
        String json = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
        String later = json.replace("\"expires\":" + MINTED.getEpochSecond(), "\"expires\":" + (MINTED.getEpochSecond() + 3600));
        assertNotEquals(json, later);
        assertFalse(at(MINTED, "k", 60).valid(Base64.getEncoder().encodeToString(later.getBytes(StandardCharsets.UTF_8))));
        assertFalse(at(MINTED, "k", 60).valid("not base64 at all!"));
        assertFalse(at(MINTED, "k", 60).valid(Base64.getEncoder().encodeToString("[1,2]".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void tokensAreNotRepeated() {
        CsrfTokens tokens = at(MINTED, "k", 60);
        assertNotEquals(tokens.mint(), tokens.mint());
    }

    @Test
    void aTokenMintedByApisixPasses() {
        // APISIX's layout with its numeric random: sign = hex sha256("{expires:T,random:R,key:K}")
        String sign = java.util.HexFormat.of().formatHex(sha256("{expires:" + MINTED.getEpochSecond() + ",random:0.53012812105565,key:k}"));
        String json = "{\"random\":0.53012812105565,\"expires\":" + MINTED.getEpochSecond() + ",\"sign\":\"" + sign + "\"}";
        assertTrue(at(MINTED, "k", 60).valid(Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8))));
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
