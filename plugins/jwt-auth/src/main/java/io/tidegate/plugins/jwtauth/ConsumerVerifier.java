package io.tidegate.plugins.jwtauth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.Verification;
import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigFields;
import io.tidegate.plugin.api.PluginConfigException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Set;

/**
 * One consumer's jwt-auth credential compiled into a verifier: the algorithm is the consumer's,
 * never the token's, so {@code alg: none} and algorithm confusion (an HS256 token "signed" with an
 * RS256 consumer's public key) fail on the algorithm mismatch.
 */
final class ConsumerVerifier {
    static final Set<String> FIELDS = Set.of("key", "secret", "public_key", "private_key", "algorithm", "exp",
            "base64_secret", "lifetime_grace_period");
    private static final long NEVER_SECONDS = 100L * 365 * 24 * 3600;

    private final String username;
    private final JWTVerifier verifier;
    private final long graceMillis;
    private final ClaimsToVerify claimsToVerify;

    private ConsumerVerifier(String username, JWTVerifier verifier, long graceMillis, ClaimsToVerify claimsToVerify) {
        this.username = username;
        this.verifier = verifier;
        this.graceMillis = graceMillis;
        this.claimsToVerify = claimsToVerify;
    }

    /** The window in which a token this verifier accepted stays acceptable, as its claims and grace say. */
    VerifiedTokens.Verified window(com.auth0.jwt.interfaces.DecodedJWT jwt) {
        java.time.Instant nbf = jwt.getNotBeforeAsInstant();
        java.time.Instant exp = jwt.getExpiresAtAsInstant();
        long from = claimsToVerify.checks("nbf") && nbf != null ? nbf.toEpochMilli() - graceMillis : Long.MIN_VALUE;
        long until = claimsToVerify.checks("exp") && exp != null ? exp.toEpochMilli() + graceMillis : Long.MAX_VALUE;
        return new VerifiedTokens.Verified(this, from, until);
    }

    String username() {
        return username;
    }

    JWTVerifier verifier() {
        return verifier;
    }

    /** Validates a credential; the same checks {@link #compile} relies on. */
    static Algorithm algorithm(JsonNode credential) throws PluginConfigException {
        ConfigFields.requireOnly(credential, FIELDS);
        if (!credential.path("key").isTextual() || credential.path("key").textValue().isEmpty()) {
            throw new PluginConfigException("key", "is required (a non-empty string)");
        }
        JsonNode grace = credential.path("lifetime_grace_period");
        if (!grace.isMissingNode() && (!grace.isIntegralNumber() || grace.longValue() < 0)) {
            throw new PluginConfigException("lifetime_grace_period", "must be an integer >= 0");
        }
        String name = credential.path("algorithm").asText("HS256");
        try {
            return switch (name) {
                case "HS256" -> Algorithm.HMAC256(secret(credential));
                case "HS384" -> Algorithm.HMAC384(secret(credential));
                case "HS512" -> Algorithm.HMAC512(secret(credential));
                case "RS256" -> Algorithm.RSA256((RSAPublicKey) publicKey(credential, "RSA"), null);
                case "RS384" -> Algorithm.RSA384((RSAPublicKey) publicKey(credential, "RSA"), null);
                case "RS512" -> Algorithm.RSA512((RSAPublicKey) publicKey(credential, "RSA"), null);
                case "PS256" -> Algorithm.RSA256PSS((RSAPublicKey) publicKey(credential, "RSA"), null);
                case "PS384" -> Algorithm.RSA384PSS((RSAPublicKey) publicKey(credential, "RSA"), null);
                case "PS512" -> Algorithm.RSA512PSS((RSAPublicKey) publicKey(credential, "RSA"), null);
                case "ES256" -> Algorithm.ECDSA256((ECPublicKey) publicKey(credential, "EC"), null);
                case "ES384" -> Algorithm.ECDSA384((ECPublicKey) publicKey(credential, "EC"), null);
                case "ES512" -> Algorithm.ECDSA512((ECPublicKey) publicKey(credential, "EC"), null);
                case "EdDSA" -> new EdDsaAlgorithm(publicKey(credential, "EdDSA"));
                default -> throw new PluginConfigException("algorithm", "must be one of HS256, HS384, HS512, RS256, RS384,"
                        + " RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA");
            };
        } catch (ClassCastException e) {
            throw new PluginConfigException("public_key", "does not match algorithm " + name);
        }
    }

    private static byte[] secret(JsonNode credential) throws PluginConfigException {
        JsonNode secret = credential.get("secret");
        if (secret == null || !secret.isTextual() || secret.textValue().isEmpty()) {
            throw new PluginConfigException("secret", "is required for HS* algorithms");
        }
        if (credential.path("base64_secret").asBoolean(false)) {
            try {
                return Base64.getDecoder().decode(secret.textValue());
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException("secret", "is not valid base64 (base64_secret is true)");
            }
        }
        return secret.textValue().getBytes(StandardCharsets.UTF_8);
    }

    private static PublicKey publicKey(JsonNode credential, String family) throws PluginConfigException {
        JsonNode pem = credential.get("public_key");
        if (pem == null || !pem.isTextual()) {
            throw new PluginConfigException("public_key", "is required for " + credential.path("algorithm").asText() + " (PEM)");
        }
        try {
            return PublicKeys.read(pem.textValue(), family);
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException("public_key", e.getMessage());
        }
    }

    /** @param claimsToVerify which of exp and nbf are checked, and whether a token must carry them */
    static ConsumerVerifier compile(String username, JsonNode credential, ClaimsToVerify claimsToVerify)
            throws PluginConfigException {
        long grace = credential.path("lifetime_grace_period").asLong(0);
        Verification verification = JWT.require(algorithm(credential)).ignoreIssuedAt()
                .acceptExpiresAt(claimsToVerify.checks("exp") ? grace : NEVER_SECONDS)
                .acceptNotBefore(claimsToVerify.checks("nbf") ? grace : NEVER_SECONDS);
        if (claimsToVerify.required()) {
            for (String claim : claimsToVerify.claims()) {
                verification.withClaimPresence(claim);
            }
        }
        return new ConsumerVerifier(username, verification.build(), grace * 1000, claimsToVerify);
    }
}
