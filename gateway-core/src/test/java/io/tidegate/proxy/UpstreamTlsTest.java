package io.tidegate.proxy;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.testing.TestCertificates;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** scheme: https towards real TLS upstreams signed by a throw-away CA. */
class UpstreamTlsTest {
    static final TestCertificates CA = TestCertificates.newAuthority("Tidegate Test CA");
    static final TestCertificates.Issued SERVER = CA.issue("upstream.test", "upstream.test", "localhost");
    static final TestCertificates.Issued CLIENT = CA.issue("tidegate-client");

    @RegisterExtension
    static final UpstreamServer https = new UpstreamServer("https").tls(SERVER.serverContext(null), false);
    @RegisterExtension
    static final UpstreamServer mutual = new UpstreamServer("mtls").tls(SERVER.serverContext(CA.ca()), true);

    @TempDir
    Path dir;

    private TestGateway gateway(String routes) throws Exception {
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, CA.ca().certPem());
        return TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  ssl_trusted_certificate: %s
                %s
                """.formatted(ca, routes));
    }

    private static String upstream(String node, String tls) {
        return "{ scheme: https, nodes: { \"" + node + "\": 1 }" + (tls.isEmpty() ? "" : ", tls: " + tls) + " }";
    }

    @Test
    void verifiedUpstreamWithTheTrustedCa() throws Exception {
        try (TestGateway gw = gateway("""
                routes:
                  - { id: 1, uri: /by-name, upstream: %s }
                  - { id: 2, uri: /by-ip, upstream: %s }
                """.formatted(upstream("localhost:" + https.port(), "{ verify: true }"),
                upstream(https.address(), "{ verify: true }")))) {
            assertEquals("https", json(gw.get("/by-name")).get("server").asText());
            assertEquals("https", json(gw.get("/by-ip")).get("server").asText(), "the certificate names 127.0.0.1 too");
        }
    }

    @Test
    void verificationRejectsAWrongHostName() throws Exception {
        try (TestGateway gw = gateway("""
                routes:
                  - { id: 1, uri: "/*", upstream: { scheme: https, pass_host: rewrite, upstream_host: other.test, nodes: { "%s": 1 }, tls: { verify: true } } }
                """.formatted(https.address()))) {
            assertEquals(502, gw.get("/x").statusCode(), "the certificate does not name other.test");
        }
    }

    @Test
    void withoutVerificationAnyCertificateIsAccepted() throws Exception {
        try (TestGateway gw = TestGateway.start("""
                routes:
                  - { id: 1, uri: /plain-verify-off, upstream: %s }
                  - { id: 2, uri: /verify-untrusted, upstream: %s }
                """.formatted(upstream(https.address(), ""), upstream(https.address(), "{ verify: true }")))) {
            assertEquals(200, gw.get("/plain-verify-off").statusCode(), "APISIX's default: tls.verify false");
            assertEquals(502, gw.get("/verify-untrusted").statusCode(), "the JVM's CAs do not know the test CA");
        }
    }

    @Test
    void mutualTlsPresentsTheClientCertificate() throws Exception {
        String cert = CLIENT.certPem().replace("\n", "\\n");
        String key = CLIENT.keyPem().replace("\n", "\\n");
        try (TestGateway gw = gateway("""
                routes:
                  - { id: 1, uri: /with-cert, upstream: %s }
                  - { id: 2, uri: /without-cert, upstream: %s }
                """.formatted(upstream(mutual.address(), "{ verify: true, client_cert: \"" + cert + "\", client_key: \"" + key + "\" }"),
                upstream(mutual.address(), "{ verify: true }")))) {
            assertEquals("mtls", json(gw.get("/with-cert")).get("server").asText());
            assertEquals(502, gw.get("/without-cert").statusCode());
        }
    }
}
