package io.tidegate.proxy;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tidegate.testing.H2Response;
import io.tidegate.testing.RawH2Client;
import io.tidegate.testing.TestCertificates;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Client-facing listeners: several at once, HTTPS with SNI certificates, HTTP/2, IPv6. */
class ListenerTest {
    static final TestCertificates CA = TestCertificates.newAuthority("Tidegate Listener CA");
    static final TestCertificates.Issued DEFAULT = CA.issue("default.test", "localhost");
    static final TestCertificates.Issued API = CA.issue("api.example.com", "api.example.com");
    static final TestCertificates.Issued WILDCARD = CA.issue("wildcard.example.org", "*.example.org");

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @TempDir
    Path dir;

    private TestGateway tlsGateway(boolean offerH2) {
        Path[] files = DEFAULT.writeTo(dir, "listener");
        return TestGateway.start("""
                tidegate:
                  listeners:
                    - address: "127.0.0.1:0"
                      tls: { cert_path: %s, key_path: %s }
                      offer_h2: %s
                    - address: "127.0.0.1:0"
                      offer_h2: %s
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                ssls:
                  - { id: api, cert: "%s", key: "%s", snis: [api.example.com] }
                  - { id: wild, cert: "%s", key: "%s", sni: "*.example.org" }
                """.formatted(files[0], files[1], offerH2, offerH2, upstream.address(),
                esc(API.certPem()), esc(API.keyPem()), esc(WILDCARD.certPem()), esc(WILDCARD.keyPem())));
    }

    private static String esc(String pem) {
        return pem.replace("\n", "\\n");
    }

    /** Completes a TLS handshake asking for {@code sni} and returns the certificate the listener chose. */
    private static X509Certificate handshake(int port, String sni) throws Exception {
        try (SSLSocket socket = (SSLSocket) CA.clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void httpsListenerChoosesTheCertificateBySni() throws Exception {
        try (TestGateway gw = tlsGateway(false)) {
            int port = gw.gateway().listenerAddresses().get(0).getPort();
            assertEquals(API.certificate(), handshake(port, "api.example.com"), "exact name from ssls");
            assertEquals(WILDCARD.certificate(), handshake(port, "shop.example.org"), "wildcard from ssls");
            assertEquals(DEFAULT.certificate(), handshake(port, "unknown.test"), "the listener's own certificate");
            assertEquals(DEFAULT.certificate(), handshake(port, null), "no SNI at all");
        }
    }

    @Test
    void httpsAndHttpListenersServeTheSameRoutes() {
        try (TestGateway gw = tlsGateway(false)) {
            HttpClient client = HttpClient.newBuilder().sslContext(CA.clientContext()).version(HttpClient.Version.HTTP_1_1).build();
            int tlsPort = gw.gateway().listenerAddresses().get(0).getPort();
            int plainPort = gw.gateway().listenerAddresses().get(1).getPort();
            HttpResponse<String> secure = send(client, "https://localhost:" + tlsPort + "/s");
            assertEquals("https", json(secure).get("headers").get("x-forwarded-proto").asText());
            HttpResponse<String> plain = send(client, "http://127.0.0.1:" + plainPort + "/p");
            assertEquals("http", json(plain).get("headers").get("x-forwarded-proto").asText());
        }
    }

    @Test
    void http2OverTlsWithAlpnAndCleartextH2c() {
        try (TestGateway gw = tlsGateway(true)) {
            HttpClient client = HttpClient.newBuilder().sslContext(CA.clientContext()).version(HttpClient.Version.HTTP_2).build();
            HttpResponse<String> alpn = send(client, "https://localhost:" + gw.gateway().listenerAddresses().get(0).getPort() + "/h2");
            assertEquals(HttpClient.Version.HTTP_2, alpn.version());
            assertEquals("up", json(alpn).get("server").asText());
            HttpResponse<String> h2c = send(client, "http://127.0.0.1:" + gw.gateway().listenerAddresses().get(1).getPort() + "/h2c");
            assertEquals(HttpClient.Version.HTTP_2, h2c.version());
            assertEquals("up", json(h2c).get("server").asText());
        }
    }

    @Test
    void cleartextH2cWithPriorKnowledge() throws Exception {
        try (TestGateway gw = tlsGateway(true);
             RawH2Client client = RawH2Client.connectPlain(gw.gateway().listenerAddresses().get(1).getPort())) {
            assertEquals(Long.valueOf(128), client.serverSettings().get(RawH2Client.SETTINGS_MAX_CONCURRENT_STREAMS),
                    "the gateway's HTTP/2 SETTINGS: " + client.serverSettings());
            for (int i = 0; i < 3; i++) {
                H2Response response = client.get("/prior/" + i, Duration.ofSeconds(10));
                assertEquals(200, response.status(), response.toString());
                assertEquals("/prior/" + i, new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.bodyText()).get("raw_path").asText(),
                        "streams on one connection");
            }
        }
        try (TestGateway gw = tlsGateway(false);
             Socket socket = new Socket("127.0.0.1", gw.gateway().listenerAddresses().get(1).getPort())) {
            // without offer_h2 the preface is an HTTP/1.1 request with an unknown method and version
            socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);
            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 400", answer, "answered as a malformed HTTP/1.1 request");
        }
    }

    @Test
    void withoutOfferH2TheListenerStaysOnHttp11() {
        try (TestGateway gw = tlsGateway(false)) {
            HttpClient client = HttpClient.newBuilder().sslContext(CA.clientContext()).version(HttpClient.Version.HTTP_2).build();
            HttpResponse<String> response = send(client, "https://localhost:" + gw.gateway().listenerAddresses().get(0).getPort() + "/h1");
            assertEquals(HttpClient.Version.HTTP_1_1, response.version());
        }
    }

    @Test
    void ipv6Listener() throws Exception {
        assumeTrue(ipv6Loopback(), "this machine has no IPv6 loopback");
        try (TestGateway gw = TestGateway.start("""
                tidegate:
                  listeners: [{ address: "[::1]:0" }]
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()))) {
            int port = gw.gateway().listenerAddresses().get(0).getPort();
            HttpResponse<String> response = send(HttpClient.newHttpClient(), "http://[::1]:" + port + "/six");
            assertEquals(200, response.statusCode());
            assertEquals("::1", json(response).get("headers").get("x-forwarded-for").asText().replace("0:0:0:0:0:0:0:1", "::1"));
        }
    }

    private static boolean ipv6Loopback() {
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static HttpResponse<String> send(HttpClient client, String uri) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(uri)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(uri + ": " + e, e);
        }
    }
}
