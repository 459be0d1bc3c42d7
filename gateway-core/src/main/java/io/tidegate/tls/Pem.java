package io.tidegate.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM text: certificate chains, and unencrypted private keys in PKCS#8
 * ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}).
 * Errors are {@link IllegalArgumentException}s whose message a config error can carry.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private Pem() {}

    public static List<X509Certificate> certificates(String pem) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(pem)) {
                if (block.type.equals("CERTIFICATE")) {
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der)));
                }
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("invalid certificate: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no PEM certificate found");
        }
        return List.copyOf(out);
    }

    public static PrivateKey privateKey(String pem) {
        for (Block block : blocks(pem)) {
            switch (block.type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(block.der);
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(wrapRsaPkcs1(block.der));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(
                        "encrypted private keys are not supported; decrypt with: openssl pkcs8 -topk8 -nocrypt");
                case "EC PRIVATE KEY" -> throw new IllegalArgumentException(
                        "SEC1 EC keys are not supported; convert with: openssl pkcs8 -topk8 -nocrypt");
                default -> { }
            }
        }
        throw new IllegalArgumentException("no PEM private key found");
    }

    private static PrivateKey pkcs8(byte[] der) {
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException e) {
                // try the next algorithm
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot read private key: " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("unsupported or corrupt private key");
    }

    /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo with the rsaEncryption algorithm. */
    private static byte[] wrapRsaPkcs1(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] octets = der(0x04, pkcs1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(version);
        body.writeBytes(algorithm);
        body.writeBytes(octets);
        return der(0x30, body.toByteArray());
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write((length >>> (8 * i)) & 0xff);
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(String pem) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem == null ? "" : pem);
        while (m.find()) {
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid base64 in PEM block " + m.group(1));
            }
        }
        return out;
    }
}
