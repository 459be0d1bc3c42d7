package io.tidegate.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/** A TLS listener offering HTTP/2 (ALPN h2) for gateways under test, with a certificate from a test CA. */
public final class TlsH2Listener {
    private static final TestCertificates CA = TestCertificates.newAuthority("Tidegate h2 test CA");
    private static final TestCertificates.Issued SERVER = CA.issue("localhost", "localhost");

    private TlsH2Listener() {}

    /** The YAML of a {@code listeners:} entry on 127.0.0.1:0 (its certificate files written to a fresh folder). */
    public static String listenerYaml() {
        Path[] files = SERVER.writeTo(TempDirs.create("tidegate-h2"), "server");
        return "{ address: \"127.0.0.1:0\", tls: { cert_path: \"%s\", key_path: \"%s\" }, offer_h2: true }"
                .formatted(files[0], files[1]);
    }

    /** The client side: trusts the test CA. */
    public static SSLContext clientContext() {
        return CA.clientContext();
    }
}
