package io.tidegate.plugins.browser;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;

/**
 * APISIX's csrf token: base64 of {@code {"random":R,"expires":T,"sign":S}} where T is the minting
 * time in seconds and S the hex SHA-256 of {@code {expires:T,random:R,key:K}}, so a token minted
 * by APISIX with the same key passes here and the other way round. The random part comes from
 * {@link SecureRandom} (APISIX's is {@code math.random()}), as a string.
 */
final class CsrfTokens {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String key;
    private final long expires;
    private final Clock clock;

    CsrfTokens(String key, long expires, Clock clock) {
        this.key = key;
        this.expires = expires;
        this.clock = clock;
    }

    long expiresSeconds() {
        return expires;
    }

    long now() {
        return clock.instant().getEpochSecond();
    }

    String mint() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        String random = HexFormat.of().formatHex(bytes);
        long time = now();
        ObjectNode token = JsonNodeFactory.instance.objectNode();
        token.put("random", random);
        token.put("expires", time);
        token.put("sign", sign(random, Long.toString(time)));
        return Base64.getEncoder().encodeToString(token.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a token is well formed, signed with the key and not expired. */
    boolean valid(String token) {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(Base64.getDecoder().decode(token));
        } catch (IllegalArgumentException | IOException malformed) {
            return false;
        }
        if (parsed == null || !parsed.isObject()) {
            return false;
        }
        JsonNode random = parsed.get("random");
        JsonNode time = parsed.get("expires");
        JsonNode sign = parsed.get("sign");
        if (random == null || random.isNull() || time == null || !time.isIntegralNumber() || sign == null || !sign.isTextual()) {
            return false;
        }
        if (expires > 0 && now() - time.asLong() > expires) {
            return false;
        }
        String expected = sign(random.isNumber() ? random.decimalValue().toPlainString() : random.asText(), time.asText());
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), sign.asText().getBytes(StandardCharsets.UTF_8));
    }

    private String sign(String random, String time) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha256.digest(("{expires:" + time + ",random:" + random + ",key:" + key + "}").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
