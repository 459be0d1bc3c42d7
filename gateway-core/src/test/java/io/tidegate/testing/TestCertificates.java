package io.tidegate.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away certificate authority for tests, and certificates it signs. */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate with its key, as PEM and as JDK objects. */
    public record Issued(X509Certificate certificate, PrivateKey key, String certPem, String keyPem) {
        /** Writes cert and key PEM files into {@code dir}, named {@code name.crt} and {@code name.key}. */
        public Path[] writeTo(Path dir, String name) {
            try {
                Path cert = dir.resolve(name + ".crt");
                Path key = dir.resolve(name + ".key");
                Files.writeString(cert, certPem);
                Files.writeString(key, keyPem);
                return new Path[] {cert, key};
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** An SSLContext presenting this certificate and trusting {@code ca}: the client side of mutual TLS. */
        public SSLContext mutualContext(Issued ca) {
            return serverContext(ca);
        }

        /** A server-side SSLContext presenting this certificate. */
        public SSLContext serverContext(Issued trustedClientCa) {
            try {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("k", key, new char[0], new X509Certificate[] {certificate});
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), trustedClientCa == null ? null : trusting(trustedClientCa).getTrustManagers(), new SecureRandom());
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Issued ca;

    private TestCertificates(Issued ca) {
        this.ca = ca;
    }

    public static TestCertificates newAuthority(String name) {
        KeyPair pair = keyPair();
        X500Name subject = new X500Name("CN=" + name);
        return new TestCertificates(issue(subject, pair, subject, pair.getPrivate(), true));
    }

    public Issued ca() {
        return ca;
    }

    /** A certificate for {@code cn}, with the DNS names (and IP 127.0.0.1) as subject alternative names. */
    public Issued issue(String cn, String... dnsNames) {
        KeyPair pair = keyPair();
        try {
            X500Name issuer = new X500Name(ca.certificate().getSubjectX500Principal().getName());
            return issue(new X500Name("CN=" + cn), pair, issuer, ca.key(), false, dnsNames);
        } catch (RuntimeException e) {
            throw e;
        }
    }

    /** A client-side SSLContext that trusts this authority. */
    public SSLContext clientContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trusting(ca).getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TrustManagerFactory trusting(Issued ca) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            return tmf;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Issued issue(X500Name subject, KeyPair pair, X500Name issuer, PrivateKey signer, boolean isCa, String... dnsNames) {
        try {
            long now = System.currentTimeMillis();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    new Date(now - 60_000), new Date(now + 86_400_000L), subject, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (!isCa) {
                GeneralName[] names = new GeneralName[dnsNames.length + 1];
                for (int i = 0; i < dnsNames.length; i++) {
                    names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
                }
                names[dnsNames.length] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
            return new Issued(certificate, pair.getPrivate(), pem(certificate), pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), null)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
