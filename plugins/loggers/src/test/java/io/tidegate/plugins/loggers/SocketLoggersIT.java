package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestCertificates;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** tcp-logger, udp-logger and syslog end to end: the real gateway, collectors on real sockets opened here. */
class SocketLoggersIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TestCertificates CA = TestCertificates.newAuthority("loggers test CA");
    /** {@code <46>1 2024-05-06T07:08:09.012Z host apisix 4242 - - {json}} */
    private static final Pattern RFC5424 = Pattern.compile(
            "<46>1 (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) (\\S+) apisix (\\d+) - - (\\{.*\\})");

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeListeners() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** A TCP collector: each connection's bytes, up to its close, as one item (or each line, for syslog). */
    private final class TcpCollector {
        final ServerSocket server;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final AtomicInteger connections = new AtomicInteger();
        final List<String> serverNames = new CopyOnWriteArrayList<>();

        TcpCollector(ServerSocket server, boolean lines) {
            this.server = server;
            closing.add(server);
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        connections.incrementAndGet();
                        new Thread(() -> read(socket, lines)).start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "test-collector");
            accept.setDaemon(true);
            accept.start();
        }

        private void read(Socket socket, boolean lines) {
            try (Socket s = socket) {
                if (s instanceof SSLSocket tls) {
                    tls.startHandshake();
                    ((ExtendedSSLSession) tls.getSession()).getRequestedServerNames()
                            .forEach(name -> serverNames.add(((SNIHostName) name).getAsciiName()));
                }
                if (lines) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        received.add(line);
                    }
                } else {
                    received.add(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the gateway went away
            }
        }

        int port() {
            return server.getLocalPort();
        }

        String next() throws InterruptedException {
            String item = received.poll(5, TimeUnit.SECONDS);
            assertTrue(item != null, "nothing arrived");
            return item;
        }
    }

    private TcpCollector plainCollector(boolean lines) throws IOException {
        return new TcpCollector(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), lines);
    }

    private TcpCollector tlsCollector(boolean lines) throws IOException {
        SSLServerSocket server = (SSLServerSocket) CA.issue("logs.example", "logs.example").serverContext(null)
                .getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        return new TcpCollector(server, lines);
    }

    private DatagramSocket udpCollector() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(5000);
        closing.add(socket);
        return socket;
    }

    private static String receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[65536], 65536);
        socket.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void tcpLoggerSendsEachBatchOnAConnectionOfItsOwn() throws Exception {
        TcpCollector collector = plainCollector(false);
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: batched
                    uri: /b
                    plugins: { tcp-logger: { host: 127.0.0.1, port: %1$d, batch_max_size: 3, inactive_timeout: 30 } }
                    upstream: { nodes: { "%2$s": 1 } }
                  - id: single
                    uri: /s
                    plugins: { tcp-logger: { host: 127.0.0.1, port: %1$d, batch_max_size: 1, log_format: { host: "$host", uri: "$uri" } } }
                    upstream: { nodes: { "%2$s": 1 } }
                """.formatted(collector.port(), upstream.address()))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, gw.get("/b?n=" + i).statusCode());
            }
            JsonNode batch = JSON.readTree(collector.next());
            assertTrue(batch.isArray(), "several entries: a JSON array");
            assertEquals(3, batch.size());
            assertEquals("batched", batch.get(0).get("route_id").asText());
            assertEquals("2", batch.get(2).at("/request/querystring/n").asText());
            assertEquals(200, batch.get(1).at("/response/status").asInt());

            gw.send(gw.request("/s").header("Host", "shop.example.com").GET().build());
            JsonNode single = JSON.readTree(collector.next());
            assertTrue(single.isObject(), "batch_max_size 1: the entry itself");
            assertEquals("shop.example.com", single.get("host").asText());
            assertEquals("/s", single.get("uri").asText());
            assertEquals(2, collector.connections.get(), "one connection per batch, closed after it");
        }
    }

    @Test
    void tcpLoggerOverTlsSendsTheServerNameOfTlsOptions() throws Exception {
        TcpCollector collector = tlsCollector(false);
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: tls
                    uri: /t
                    plugins: { tcp-logger: { host: 127.0.0.1, port: %d, tls: true, tls_options: logs.example, batch_max_size: 1 } }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(collector.port(), upstream.address()))) {
            assertEquals(200, gw.get("/t").statusCode());
            JsonNode entry = JSON.readTree(collector.next());
            assertEquals("tls", entry.get("route_id").asText());
            assertEquals(List.of("logs.example"), collector.serverNames);
        }
    }

    @Test
    void udpLoggerSendsEachBatchAsOneDatagram() throws Exception {
        DatagramSocket collector = udpCollector();
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: udp
                    uri: /u
                    plugins: { udp-logger: { host: 127.0.0.1, port: %d, batch_max_size: 2, inactive_timeout: 30, log_format: { m: "$request_method", fixed: v1 } } }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(collector.getLocalPort(), upstream.address()))) {
            assertEquals(200, gw.get("/u").statusCode());
            assertEquals(200, gw.send(gw.request("/u").DELETE().build()).statusCode());
            JsonNode batch = JSON.readTree(receive(collector));
            assertEquals(2, batch.size());
            assertEquals("GET", batch.get(0).get("m").asText());
            assertEquals("DELETE", batch.get(1).get("m").asText());
            assertEquals("v1", batch.get(1).get("fixed").asText());
            assertEquals("udp", batch.get(1).get("route_id").asText());
        }
    }

    @Test
    void syslogOverTcpWritesRfc5424LinesOnOneKeptConnection() throws Exception {
        TcpCollector collector = plainCollector(true);
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: sys
                    uri: /sys
                    plugins: { syslog: { host: 127.0.0.1, port: %d, batch_max_size: 2, inactive_timeout: 0.2 } }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(collector.port(), upstream.address()))) {
            gw.send(gw.request("/sys?a=1").header("Host", "shop.example.com").GET().build());
            gw.send(gw.request("/sys?a=2").header("Host", "shop.example.com").GET().build());
            List<JsonNode> entries = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Matcher m = RFC5424.matcher(collector.next());
                assertTrue(m.matches(), m.toString());
                assertEquals("shop.example.com", m.group(2), "HOSTNAME: the request's host, as APISIX");
                assertEquals(String.valueOf(ProcessHandle.current().pid()), m.group(3), "PROCID: the gateway's process");
                entries.add(JSON.readTree(m.group(4)));
            }
            assertEquals("1", entries.get(0).at("/request/querystring/a").asText());
            assertEquals("2", entries.get(1).at("/request/querystring/a").asText());
            assertEquals("sys", entries.get(1).get("route_id").asText());

            gw.get("/sys?a=3"); // a later batch (after inactive_timeout) on the same connection
            Matcher third = RFC5424.matcher(collector.next());
            assertTrue(third.matches());
            assertEquals("3", JSON.readTree(third.group(4)).at("/request/querystring/a").asText());
            assertEquals(1, collector.connections.get(), "the connection is kept across batches");
        }
    }

    @Test
    void syslogOverTlsAndOverUdp() throws Exception {
        TcpCollector tls = tlsCollector(true);
        DatagramSocket udp = udpCollector();
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: tls
                    uri: /tls
                    plugins: { syslog: { host: 127.0.0.1, port: %1$d, tls: true, batch_max_size: 1 } }
                    upstream: { nodes: { "%3$s": 1 } }
                  - id: udp
                    uri: /udp
                    plugins: { syslog: { host: 127.0.0.1, port: %2$d, sock_type: udp, batch_max_size: 2, inactive_timeout: 30 } }
                    upstream: { nodes: { "%3$s": 1 } }
                """.formatted(tls.port(), udp.getLocalPort(), upstream.address()))) {
            gw.get("/tls");
            Matcher overTls = RFC5424.matcher(tls.next());
            assertTrue(overTls.matches());
            assertEquals("tls", JSON.readTree(overTls.group(4)).get("route_id").asText());

            gw.get("/udp?n=1");
            gw.get("/udp?n=2");
            for (int n = 1; n <= 2; n++) {
                String datagram = receive(udp);
                assertTrue(datagram.endsWith("\n"));
                Matcher m = RFC5424.matcher(datagram.strip());
                assertTrue(m.matches(), "one message per datagram: " + datagram);
                assertEquals(String.valueOf(n), JSON.readTree(m.group(4)).at("/request/querystring/n").asText());
            }
        }
    }

    @Test
    void aFailingCollectorIsRetriedThenTheBatchIsDroppedAndCounted() throws Exception {
        // a plain listener where the logger expects TLS: every handshake fails, every try is one connection
        TcpCollector notTls = plainCollector(false);
        try (TestGateway gw = PluginGateway.startWithMetrics("""
                routes:
                  - id: failing
                    uri: /f
                    plugins: { tcp-logger: { host: 127.0.0.1, port: %d, tls: true, timeout: 500, batch_max_size: 2, inactive_timeout: 30, max_retry_count: 2, retry_delay: 0.1 } }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(notTls.port(), upstream.address()))) {
            notTls.server.setSoTimeout(0);
            assertEquals(200, gw.get("/f").statusCode());
            assertEquals(200, gw.get("/f").statusCode());
            String sample = "tidegate_plugin_entries_dropped_total{plugin=\"tcp-logger\"} 2.0";
            long deadline = System.currentTimeMillis() + 10_000;
            String metrics = gw.metrics();
            while (!metrics.contains(sample) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                metrics = gw.metrics();
            }
            assertTrue(metrics.contains(sample), "the batch's two entries counted as dropped:\n" + metrics);
            assertEquals(3, notTls.connections.get(), "the first try and max_retry_count (2) more");
        }
    }

    @Test
    void aCollectorThatNeverAnswersDoesNotSlowRequests() throws Exception {
        // accepts, never completes a TLS handshake: each batch waits out the logger's timeout (1 s)
        TcpCollector silent = plainCollector(false);
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: slow
                    uri: /slow
                    plugins: { tcp-logger: { host: 127.0.0.1, port: %d, tls: true, batch_max_size: 1 } }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(silent.port(), upstream.address()))) {
            gw.get("/slow"); // warm up
            long start = System.nanoTime();
            for (int i = 0; i < 30; i++) {
                assertEquals(200, gw.get("/slow").statusCode());
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 3000, "30 requests while each batch waits 1 s for the collector: " + millis + " ms");
        }
    }
}
