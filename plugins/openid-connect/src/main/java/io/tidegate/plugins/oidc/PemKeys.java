package io.tidegate.plugins.oidc;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** A PEM {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo), RSA or EC. */
final class PemKeys {
    private PemKeys() {}

    static PublicKey publicKey(String pem) {
        String text = pem.strip();
        if (!text.startsWith("-----BEGIN PUBLIC KEY-----") || !text.endsWith("-----END PUBLIC KEY-----")) {
            throw new IllegalArgumentException("must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(26, text.length() - 24));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not valid base64 inside the PEM armour");
        }
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException tryNext) {
                // not this key type
            }
        }
        throw new IllegalArgumentException("is neither an RSA nor an EC public key");
    }
}
