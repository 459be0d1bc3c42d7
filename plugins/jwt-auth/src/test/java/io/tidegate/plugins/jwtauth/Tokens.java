package io.tidegate.plugins.jwtauth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;

/** Keys and tokens for the tests, made the way a client would make them. */
final class Tokens {
    static final KeyPair RSA = generate("RSA", 2048);
    static final KeyPair EC256 = ec("secp256r1");
    static final KeyPair EC384 = ec("secp384r1");
    static final KeyPair EC521 = ec("secp521r1");
    static final KeyPair ED25519 = generate("Ed25519", 0);

    private Tokens() {}

    private static KeyPair generate(String algorithm, int size) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (size > 0) {
                generator.initialize(size);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ec(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** The signing algorithm a client with the matching private key would use. */
    static Algorithm signer(String name, String secret) {
        RSAPublicKey rsaPub = (RSAPublicKey) RSA.getPublic();
        RSAPrivateKey rsa = (RSAPrivateKey) RSA.getPrivate();
        return switch (name) {
            case "HS256" -> Algorithm.HMAC256(secret);
            case "HS384" -> Algorithm.HMAC384(secret);
            case "HS512" -> Algorithm.HMAC512(secret);
            case "RS256" -> Algorithm.RSA256(rsaPub, rsa);
            case "RS384" -> Algorithm.RSA384(rsaPub, rsa);
            case "RS512" -> Algorithm.RSA512(rsaPub, rsa);
            case "PS256" -> Algorithm.RSA256PSS(rsaPub, rsa);
            case "PS384" -> Algorithm.RSA384PSS(rsaPub, rsa);
            case "PS512" -> Algorithm.RSA512PSS(rsaPub, rsa);
            case "ES256" -> Algorithm.ECDSA256((ECPublicKey) EC256.getPublic(), (ECPrivateKey) EC256.getPrivate());
            case "ES384" -> Algorithm.ECDSA384((ECPublicKey) EC384.getPublic(), (ECPrivateKey) EC384.getPrivate());
            case "ES512" -> Algorithm.ECDSA512((ECPublicKey) EC521.getPublic(), (ECPrivateKey) EC521.getPrivate());
            default -> throw new IllegalArgumentException(name);
        };
    }

    static PublicKey publicKey(String algorithm) {
        return switch (algorithm.substring(0, 2)) {
            case "RS", "PS" -> RSA.getPublic();
            case "Ed" -> ED25519.getPublic();
            default -> switch (algorithm) {
                case "ES256" -> EC256.getPublic();
                case "ES384" -> EC384.getPublic();
                default -> EC521.getPublic();
            };
        };
    }

    static JWTCreator.Builder claims(String key) {
        return JWT.create().withClaim("key", key).withExpiresAt(Instant.now().plusSeconds(60));
    }

    /** An EdDSA token, signed with the JDK (java-jwt cannot sign EdDSA). */
    static String edDsa(String key) {
        try {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String header = b64.encodeToString("{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            String payload = b64.encodeToString(("{\"key\":\"" + key + "\",\"exp\":" + (Instant.now().getEpochSecond() + 60) + "}")
                    .getBytes(StandardCharsets.UTF_8));
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(ED25519.getPrivate());
            signature.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + b64.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
