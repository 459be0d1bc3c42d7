package io.tidegate.plugins.jwtauth;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a consumer's {@code public_key}: a PEM public key (X.509 SubjectPublicKeyInfo) or certificate. */
final class PublicKeys {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private PublicKeys() {}

    /** @param family "RSA", "EC" or "EdDSA" */
    static PublicKey read(String pem, String family) {
        Matcher m = BLOCK.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException("must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        try {
            return switch (m.group(1)) {
                case "PUBLIC KEY" -> KeyFactory.getInstance(family).generatePublic(new X509EncodedKeySpec(der));
                case "CERTIFICATE" -> CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
                case "RSA PUBLIC KEY" -> throw new IllegalArgumentException(
                        "PKCS#1 keys are not read; convert with: openssl rsa -RSAPublicKey_in -pubout");
                default -> throw new IllegalArgumentException("expected a PUBLIC KEY or CERTIFICATE block, found " + m.group(1));
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("is not a valid " + family + " public key: " + e.getMessage());
        }
    }
}
