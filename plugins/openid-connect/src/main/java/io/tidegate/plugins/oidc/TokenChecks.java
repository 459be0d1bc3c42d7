package io.tidegate.plugins.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a signed JWT (a bearer access token, an ID token): an asymmetric algorithm only (never
 * {@code none}, never an HMAC with a public key), the signature with the configured public key or
 * the JWKS key of its {@code kid}, {@code exp} (required) and {@code nbf} against the clock, and
 * the issuer when a list of valid issuers is given.
 */
final class TokenChecks {
    /** What a check found: claims when valid; {@link #unknownKey} when the JWKS lacks the signing key. */
    record Result(Map<String, Object> claims, String error, boolean unknownKey) {
        static Result invalid(String error) {
            return new Result(null, error, false);
        }

        boolean valid() {
            return claims != null;
        }
    }

    private static final Set<JWSAlgorithm> ASYMMETRIC = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final PublicKey publicKey;
    private final JWSAlgorithm expectedAlgorithm;
    private final Clock clock;

    TokenChecks(OpenIdConnectPlugin.Settings config, PublicKey publicKey, Clock clock) {
        this.publicKey = publicKey;
        this.expectedAlgorithm = config.tokenSigningAlgValuesExpected() == null ? null : JWSAlgorithm.parse(config.tokenSigningAlgValuesExpected());
        this.clock = clock;
    }

    boolean hasPublicKey() {
        return publicKey != null;
    }

    /** Checks {@code token} with the configured public key, or else with {@code keys}. */
    Result check(String token, JWKSet keys, List<String> validIssuers) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return Result.invalid("invalid jwt: " + e.getMessage());
        }
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (!ASYMMETRIC.contains(algorithm) || (expectedAlgorithm != null && !expectedAlgorithm.equals(algorithm))) {
            return Result.invalid("token signed with an algorithm that is not accepted: " + algorithm);
        }
        List<PublicKey> candidates = publicKey != null ? List.of(publicKey) : keysFor(keys, jwt.getHeader().getKeyID(), algorithm);
        if (candidates.isEmpty()) {
            return new Result(null, "no key of the provider matches the token's kid", true);
        }
        if (!signedByOneOf(jwt, candidates)) {
            return Result.invalid("signature mismatch");
        }
        Date now = Date.from(clock.instant());
        if (claims.getExpirationTime() == null || !now.before(claims.getExpirationTime())) {
            return Result.invalid("token expired or without exp");
        }
        if (claims.getNotBeforeTime() != null && now.before(claims.getNotBeforeTime())) {
            return Result.invalid("token not valid yet");
        }
        if (validIssuers != null && !validIssuers.contains(claims.getIssuer())) {
            return Result.invalid("token issued by an issuer that is not trusted");
        }
        return new Result(claims.getClaims(), null, false);
    }

    private static List<PublicKey> keysFor(JWKSet keys, String kid, JWSAlgorithm algorithm) {
        List<PublicKey> found = new ArrayList<>();
        if (keys == null) {
            return found;
        }
        for (JWK key : keys.getKeys()) {
            if (kid != null && !kid.equals(key.getKeyID())) {
                continue;
            }
            if (key.getKeyUse() != null && !"sig".equals(key.getKeyUse().identifier())) {
                continue;
            }
            try {
                if (key instanceof RSAKey rsa && algorithm.getName().matches("[RP]S\\d+")) {
                    found.add(rsa.toRSAPublicKey());
                } else if (key instanceof ECKey ec && algorithm.getName().startsWith("ES")) {
                    found.add(ec.toECPublicKey());
                }
            } catch (JOSEException unusable) {
                // a malformed key in the set signs nothing
            }
        }
        return found;
    }

    private static boolean signedByOneOf(SignedJWT jwt, List<PublicKey> keys) {
        for (PublicKey key : keys) {
            try {
                JWSVerifier verifier = key instanceof RSAPublicKey rsa ? new RSASSAVerifier(rsa)
                        : key instanceof ECPublicKey ec ? new ECDSAVerifier(ec) : null;
                if (verifier != null && jwt.verify(verifier)) {
                    return true;
                }
            } catch (JOSEException wrongKeyType) {
                // try the next key
            }
        }
        return false;
    }
}
