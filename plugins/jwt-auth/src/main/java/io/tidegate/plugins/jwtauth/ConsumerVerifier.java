package io.tidegate.plugins.jwtauth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.Verification;
import io.tidegate.plugin.api.PluginConfigException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/**
 * One consumer's jwt-auth credential compiled into a verifier: the algorithm is the consumer's,
 * never the token's, so {@code alg: none} and algorithm confusion (an HS256 token "signed" with an
 * RS256 consumer's public key) fail on the algorithm mismatch.
 */
final class ConsumerVerifier {
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

    /**
     * The credential's algorithm with its key: the checks its schema cannot express (the public
     * key must parse, and fit the algorithm). {@link #compile} relies
     * on the same code.
     */
    static Algorithm algorithm(JwtAuthPlugin.Credential credential) throws PluginConfigException {
        String name = credential.algorithm();
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
                // the schema's enum lists exactly the cases above
                default -> throw new IllegalStateException("algorithm " + name + " passed the schema");
            };
        } catch (ClassCastException e) {
            throw new PluginConfigException("public_key", "does not match algorithm " + name);
        }
    }

    /** The HMAC key; the schema requires a secret for HS algorithms, in base64 when base64_secret is set. */
    private static byte[] secret(JwtAuthPlugin.Credential credential) {
        return credential.base64Secret() ? Base64.getDecoder().decode(credential.secret())
                : credential.secret().getBytes(StandardCharsets.UTF_8);
    }

    /** The public key; the schema requires one for the algorithms other than HS. */
    private static PublicKey publicKey(JwtAuthPlugin.Credential credential, String family) throws PluginConfigException {
        try {
            return PublicKeys.read(credential.publicKey(), family);
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException("public_key", e.getMessage());
        }
    }

    /** @param claimsToVerify which of exp and nbf are checked, and whether a token must carry them */
    static ConsumerVerifier compile(String username, JwtAuthPlugin.Credential credential, ClaimsToVerify claimsToVerify)
            throws PluginConfigException {
        long grace = credential.lifetimeGracePeriod();
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
