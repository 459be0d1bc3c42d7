package io.tidegate.plugins.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A verified token is remembered until its exp, and never for more than five minutes. */
class VerifiedTokensTest {
    private static final long NOW = 1_800_000_000_000L;

    @Test
    void aTokenIsForgottenAtItsExpiry() {
        VerifiedTokens tokens = new VerifiedTokens();
        tokens.put("t", Map.of("exp", new Date(NOW + 60_000)), "info", NOW);
        assertNotNull(tokens.get("t", NOW + 59_999));
        assertEquals("info", tokens.get("t", NOW + 59_999).userinfoHeader());
        assertNull(tokens.get("t", NOW + 60_000), "expired: verified again, and refused");
    }

    @Test
    void aLongLivedTokenIsCheckedAgainAfterFiveMinutes() {
        VerifiedTokens tokens = new VerifiedTokens();
        tokens.put("t", Map.of("exp", (NOW / 1000) + 86_400), null, NOW);
        assertNotNull(tokens.get("t", NOW + VerifiedTokens.MAX_AGE_MILLIS - 1));
        assertNull(tokens.get("t", NOW + VerifiedTokens.MAX_AGE_MILLIS), "a withdrawn key stops being trusted soon");
    }

    @Test
    void aTokenWithoutExpiryIsNotKept() {
        VerifiedTokens tokens = new VerifiedTokens();
        tokens.put("t", Map.of(), null, NOW);
        assertNull(tokens.get("t", NOW));
    }
}
