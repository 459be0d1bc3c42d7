package io.tidegate.plugins.oidc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens this configuration has verified, so a client sending the same token again costs a
 * map lookup instead of an RSA or ECDSA verification (lua-resty-openidc, under APISIX, caches its
 * verifications too). An entry lasts until the token's {@code exp}, and at most
 * {@link #MAX_AGE_MILLIS} after its check, so a key the provider withdraws stops being trusted
 * soon. Bounded: when full, it is emptied and refills with what is in use.
 */
final class VerifiedTokens {
    /** What a verified token yields on the request path, the X-Userinfo value made once. */
    record Verified(Map<String, Object> claims, String userinfoHeader, long untilMillis) {}

    static final long MAX_AGE_MILLIS = 300_000;
    private static final int MAX_ENTRIES = 10_000;

    private final ConcurrentHashMap<String, Verified> byToken = new ConcurrentHashMap<>();

    /** The token's verification, when one is held and still good at {@code nowMillis}. */
    Verified get(String token, long nowMillis) {
        Verified held = byToken.get(token);
        if (held == null) {
            return null;
        }
        if (nowMillis >= held.untilMillis()) {
            byToken.remove(token, held);
            return null;
        }
        return held;
    }

    Verified put(String token, Map<String, Object> claims, String userinfoHeader, long nowMillis) {
        Object exp = claims.get("exp");
        long expiresMillis = exp instanceof java.util.Date date ? date.getTime()
                : exp instanceof Number seconds ? seconds.longValue() * 1000 : nowMillis;
        Verified verified = new Verified(claims, userinfoHeader, Math.min(expiresMillis, nowMillis + MAX_AGE_MILLIS));
        if (byToken.size() >= MAX_ENTRIES) {
            byToken.clear();
        }
        byToken.put(token, verified);
        return verified;
    }
}
