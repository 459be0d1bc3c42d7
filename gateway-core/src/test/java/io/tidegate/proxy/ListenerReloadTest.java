package io.tidegate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.Await;
import io.tidegate.testing.FreePort;
import io.tidegate.testing.LogCapture;
import io.tidegate.testing.RawHttp;
import io.tidegate.testing.TestCertificates;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code tidegate.listeners} edited in the watched file, and certificate files replaced on disk,
 * apply to the running gateway: no restart, and the listeners that did not change keep serving.
 */
class ListenerReloadTest {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");

    private static final String ROUTES = """
            routes:
              - { id: 1, uri: "/*", upstream: { nodes: { "%s": 1 } } }
            """;

    private static void rewrite(TestGateway gateway, String listeners) throws IOException {
        Path next = gateway.configFile().resolveSibling("config.next");
        Files.writeString(next, "tidegate:\n  threads: 2\n  listeners: " + listeners + "\n" + ROUTES.formatted(upstream.address()));
        Files.move(next, gateway.configFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, long millis, Check check) {
        assertTrue(Await.until(java.time.Duration.ofMillis(millis), () -> {
            try {
                return check.holds();
            } catch (Exception e) {
                return false;
            }
        }), what);
    }

    private static String text(LogCapture log) {
        return log.events().stream().map(e -> e.getFormattedMessage()).collect(java.util.stream.Collectors.joining("\n"));
    }

    private static int status(int port) {
        return RawHttp.status(RawHttp.send(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5000));
    }

    private static boolean refuses(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void listenersAddedChangedAndRemovedApplyWhileTheOthersKeepServing() throws Exception {
        int first = FreePort.pick();
        int second = FreePort.pick();
        try (TestGateway gateway = TestGateway.start("tidegate:\n  threads: 2\n  listeners: [{ address: \"127.0.0.1:" + first + "\" }]\n"
                + ROUTES.formatted(upstream.address()))) {
            assertEquals(200, status(first));
            assertTrue(refuses(second));

            rewrite(gateway, "[{ address: \"127.0.0.1:%d\" }, { address: \"127.0.0.1:%d\" }]".formatted(first, second));
            await("the added listener accepts", 5000, () -> !refuses(second));
            assertEquals(200, status(second));
            assertEquals(200, status(first));

            // offer_h2 switched on for the first: an h2c upgrade is now taken, on the same socket
            HttpClient h2c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first + "/")).build();
            assertEquals(HttpClient.Version.HTTP_1_1, h2c.send(request, HttpResponse.BodyHandlers.ofString()).version());
            rewrite(gateway, "[{ address: \"127.0.0.1:%d\", offer_h2: true }, { address: \"127.0.0.1:%d\" }]".formatted(first, second));
            await("the changed listener offers HTTP/2", 5000, () -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()
                    .send(request, HttpResponse.BodyHandlers.ofString()).version() == HttpClient.Version.HTTP_2);

            rewrite(gateway, "[{ address: \"127.0.0.1:%d\" }]".formatted(second));
            await("the removed listener no longer accepts", 5000, () -> refuses(first));
            assertEquals(200, status(second));
            assertEquals(1, gateway.gateway().listenerAddresses().size());
        }
    }

    @Test
    void aListenerThatCannotBindIsReportedAndTheOthersApply() throws Exception {
        int first = FreePort.pick();
        int added = FreePort.pick();
        try (ServerSocket occupied = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             LogCapture log = new LogCapture();
             TestGateway gateway = TestGateway.start("tidegate:\n  threads: 2\n  listeners: [{ address: \"127.0.0.1:" + first + "\" }]\n"
                     + ROUTES.formatted(upstream.address()))) {
            rewrite(gateway, "[{ address: \"127.0.0.1:%d\" }, { address: \"127.0.0.1:%d\" }, { address: \"127.0.0.1:%d\" }]"
                    .formatted(first, occupied.getLocalPort(), added));
            await("the bindable listener was added", 5000, () -> !refuses(added));
            await("the failure is logged", 5000, () -> text(log).contains("127.0.0.1:" + occupied.getLocalPort()));
            assertTrue(text(log).contains("Address already in use") || text(log).contains("address already in use"), text(log));
            assertEquals(200, status(first));
            assertEquals(200, status(added));
        }
    }

    /** With upgrade_sock set, the TLS listener is bound for sharing (SO_REUSEPORT), through SharedPorts' TLS path. */
    @Test
    void replacedCertificateFilesAreServedWithoutARestartAndABadPairIsNot() throws Exception {
        TestCertificates authority = TestCertificates.newAuthority("rotation-ca");
        TestCertificates.Issued before = authority.issue("before.example", "localhost");
        TestCertificates.Issued after = authority.issue("after.example", "localhost");
        Path dir = Files.createDirectories(TestGateway.write("routes: []").getParent().resolve("certs"));
        Path[] files = before.writeTo(dir, "listener");
        int port = FreePort.pick();
        try (LogCapture log = new LogCapture();
             TestGateway gateway = TestGateway.start("""
                     tidegate:
                       threads: 2
                       listeners: [{ address: "127.0.0.1:%d", tls: { cert_path: "%s", key_path: "%s" } }]
                       upgrade_sock: %s
                     """.formatted(port, files[0], files[1], dir.resolve("upgrade.sock")) + ROUTES.formatted(upstream.address()))) {
            assertEquals("CN=before.example", presented(authority, port).getSubjectX500Principal().getName());
            try (java.nio.channels.ServerSocketChannel sharer = java.nio.channels.ServerSocketChannel.open()) {
                sharer.setOption(java.net.StandardSocketOptions.SO_REUSEPORT, true);
                sharer.bind(new java.net.InetSocketAddress("127.0.0.1", port));  // fails unless the gateway shares the port
            }

            // a certificate whose key is not yet in place: not taken, the old pair keeps serving
            replace(files[0], after.certPem());
            await("the mismatched pair is reported", 5000, () -> text(log).contains("is not the key of"));
            assertEquals("CN=before.example", presented(authority, port).getSubjectX500Principal().getName());

            replace(files[1], after.keyPem());
            await("the rotated certificate is presented", 5000, () -> presented(authority, port).getSubjectX500Principal().getName().equals("CN=after.example"));
            assertEquals(200, RawHttp.status(tlsGet(authority, port)));
        }
    }

    private static void replace(Path file, String text) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, text);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static X509Certificate presented(TestCertificates authority, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) authority.clientContext().getSocketFactory().createSocket("localhost", port)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static String tlsGet(TestCertificates authority, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) authority.clientContext().getSocketFactory().createSocket("localhost", port)) {
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes());
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void keyPathNotMatchingTheCertificateIsAConfigurationError() {
        TestCertificates authority = TestCertificates.newAuthority("mismatch-ca");
        Path dir = TestGateway.write("routes: []").getParent();
        Path[] one = authority.issue("one.example").writeTo(dir, "one");
        Path[] two = authority.issue("two.example").writeTo(dir, "two");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0", tls: { cert_path: "%s", key_path: "%s" } }]
                routes: []
                """.formatted(one[0], two[1])));
        assertTrue(e.getMessage().contains("tidegate.listeners[0].tls.key_path: is not the key of cert_path's certificate"), e.getMessage());
    }
}
