package io.tidegate.config;

import io.tidegate.tls.Pem;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/** Reads a listener's certificate and key files and checks that they belong together. */
public final class ListenerCertificates {
    private static final ConfigFileReader PEM_FILES = new ConfigFileReader(4 << 20, ConfigFileReader.READ_DEADLINE);
    private static final byte[] PROBE = "tidegate key pair check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private ListenerCertificates() {}

    /** @throws IllegalArgumentException naming the file that cannot be read or parsed, or saying the key is another certificate's */
    public static ListenerTls read(Path certFile, Path keyFile) {
        String certPem = text(certFile);
        String keyPem = text(keyFile);
        List<X509Certificate> chain = parse(certFile, () -> Pem.certificates(certPem));
        PrivateKey key = parse(keyFile, () -> Pem.privateKey(keyPem));
        if (!belongTogether(chain.get(0), key)) {
            throw new IllegalArgumentException(keyFile + " is not the key of " + certFile + "'s certificate");
        }
        return new ListenerTls(certPem, keyPem, certFile, keyFile);
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    public static boolean belongTogether(X509Certificate certificate, PrivateKey key) {
        PublicKey publicKey = certificate.getPublicKey();
        if (!publicKey.getAlgorithm().equals(key.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true;  // an algorithm this check does not know: the handshake will tell
        }
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** "CN=example.com, valid until 2027-03-01T00:00:00Z", for the log. */
    public static String describe(ListenerTls tls) {
        X509Certificate leaf = Pem.certificates(tls.certPem()).get(0);
        return leaf.getSubjectX500Principal().getName() + ", valid until " + leaf.getNotAfter().toInstant();
    }

    private static String text(Path file) {
        try {
            return PEM_FILES.read(file);
        } catch (ConfigFileReader.UnreadableFileException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static <T> T parse(Path file, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
