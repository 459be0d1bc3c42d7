package io.tidegate.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.config.EtcdSettings;
import io.tidegate.testing.EtcdServer;
import io.tidegate.testing.TestCertificates;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A real etcd that speaks only TLS and wants client certificates, as production clusters do. */
class EtcdTlsTest {
    private static final TestCertificates AUTHORITY = TestCertificates.newAuthority("etcd-ca");

    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer().tls(AUTHORITY);
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");

    @TempDir
    Path dir;

    private EtcdStore store(String endpoint, EtcdSettings.Tls tls) {
        return new EtcdStore(new EtcdSettings(List.of(endpoint), "/tls", null, null, 2, tls));
    }

    @Test
    void aGatewayServesRoutesFromEtcdOverMutualTls() throws Exception {
        try (EtcdStore admin = etcd.store("/mtls")) {
            admin.put("/mtls/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1}}");
            admin.put("/mtls/routes/1", "{\"uri\":\"/secure\",\"upstream_id\":\"u\"}");
        }
        Files.writeString(dir.resolve("ca.crt"), AUTHORITY.ca().certPem());
        Path[] client = AUTHORITY.issue("gateway").writeTo(dir, "gateway");
        try (TestGateway gw = TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  etcd:
                    endpoints: ["%s"]
                    prefix: /mtls
                    timeout: 2
                    tls: { ca_path: %s, cert_path: %s, key_path: %s }
                """.formatted(etcd.endpoint(), dir.resolve("ca.crt"), client[0], client[1]))) {
            assertEquals(200, gw.get("/secure").statusCode());
            try (EtcdStore admin = etcd.store("/mtls")) {
                admin.put("/mtls/routes/2", "{\"uri\":\"/watched\",\"upstream_id\":\"u\"}");
            }
            gw.awaitStatus("/watched", 200, 2000);
        }
    }

    @Test
    void etcdsCertificateIsCheckedAgainstTheTrustedAuthorityAndTheHostName() {
        TestCertificates.Issued client = etcd.clientCertificate();
        String ca = AUTHORITY.ca().certPem();
        try (EtcdStore jvmTrust = store(etcd.endpoint(), new EtcdSettings.Tls(true, null, client.certPem(), client.keyPem()))) {
            String unknownAuthority = assertThrows(RuntimeException.class, jvmTrust::list).getMessage();
            assertTrue(unknownAuthority.startsWith("etcd is unavailable: TLS with etcd failed")
                    && unknownAuthority.endsWith("(unable to find valid certification path to requested target))"),
                    "an authority the JVM does not know: " + unknownAuthority);
        }
        String byName = etcd.endpoint().replace("127.0.0.1", "localhost");
        try (EtcdStore wrongName = store(byName, new EtcdSettings.Tls(true, ca, client.certPem(), client.keyPem()))) {
            assertEquals("etcd is unavailable: TLS with etcd failed (UNAVAILABLE: io exception (No name matching localhost found))",
                    assertThrows(RuntimeException.class, wrongName::list).getMessage(), "the certificate names 127.0.0.1 only");
        }
        try (EtcdStore unverified = store(byName, new EtcdSettings.Tls(false, null, client.certPem(), client.keyPem()))) {
            assertTrue(unverified.list().revision() > 0, "verify: false encrypts without checking");
        }
    }

    @Test
    void withoutAClientCertificateEtcdRefusesTheConnection() {
        try (EtcdStore anonymous = store(etcd.endpoint(), new EtcdSettings.Tls(true, AUTHORITY.ca().certPem(), null, null))) {
            assertEquals("etcd is unavailable: TLS with etcd failed (UNAVAILABLE: ssl exception (Received fatal alert: bad_certificate))",
                    assertThrows(RuntimeException.class, anonymous::list).getMessage());
        }
    }
}
