package io.tidegate.conformance;

import com.sun.net.httpserver.HttpServer;
import io.tidegate.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLServerSocket;

/**
 * The log and trace collectors APISIX's logger and tracing tests send to (its CI's vector and
 * OpenTelemetry collector containers, a Zipkin mock), here on free ports, each keeping all it
 * received as one text (bytes read as ISO-8859-1, so the strings of a protobuf message stay
 * readable): a TCP receiver appends what each connection sends, a UDP one each datagram and a line
 * feed, an HTTP one each request as {@code POST /path}, a line feed, the body and a line feed
 * (answering 200). Named by kind and APISIX's port; in cases {@code ${TCP_3000}} is the port of
 * the TCP receiver standing for APISIX's 3000, and {@code ${HTTP_4318}} an HTTP receiver's
 * {@code 127.0.0.1:port}. A request's {@code received_like: {TCP_3000: regex}} matches what that
 * receiver got since the request was sent ({@link ReplayedRequest}).
 * <ul>
 *   <li>{@code TCP_3000}: tcp-logger's vector tcp source; {@code TLS_43000}: its TLS source
 *       (a certificate of a throwaway authority: the loggers do not verify it, as APISIX's);</li>
 *   <li>{@code UDP_8127}: udp-logger's vector udp source;</li>
 *   <li>{@code TCP_5140}, {@code UDP_5150}: syslog's vector tcp and udp sources;</li>
 *   <li>{@code HTTP_4318}: the OpenTelemetry collector (OTLP/HTTP); {@code HTTP_9411}: a Zipkin
 *       collector.</li>
 * </ul>
 */
final class LogReceivers implements AutoCloseable {
    /** What a receiver got so far. */
    private static final class Received {
        private final StringBuilder text = new StringBuilder();

        synchronized void add(byte[] bytes, int length) {
            text.append(new String(bytes, 0, length, StandardCharsets.ISO_8859_1));
        }

        synchronized void add(String more) {
            text.append(more);
        }

        synchronized int mark() {
            return text.length();
        }

        synchronized String since(int mark) {
            return text.substring(Math.min(mark, text.length()));
        }
    }

    private final Map<String, Received> received = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, AutoCloseable> servers = new LinkedHashMap<>();

    LogReceivers() throws IOException {
        tcp("TCP_3000", new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        TestCertificates authority = TestCertificates.newAuthority("conformance log receivers");
        SSLServerSocket tls = (SSLServerSocket) authority.issue("127.0.0.1", "localhost").serverContext(null)
                .getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        tcp("TLS_43000", tls);
        udp("UDP_8127");
        tcp("TCP_5140", new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        udp("UDP_5150");
        http("HTTP_4318");
        http("HTTP_9411");
    }

    private void tcp(String name, ServerSocket server) {
        Received into = received(name, server.getLocalPort());
        servers.put(name, server);
        daemon(name, () -> {
            while (!server.isClosed()) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException closed) {
                    return;
                }
                daemon(name + " connection", () -> {
                    try (Socket open = socket; InputStream in = open.getInputStream()) {
                        byte[] buffer = new byte[8192];
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            into.add(buffer, n);
                        }
                    } catch (IOException ended) {
                        // a failed handshake or a reset: what came before is kept
                    }
                });
            }
        });
    }

    private void udp(String name) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Received into = received(name, socket.getLocalPort());
        servers.put(name, socket);
        daemon(name, () -> {
            byte[] buffer = new byte[65536];
            while (!socket.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (IOException closed) {
                    return;
                }
                into.add(packet.getData(), packet.getLength());
                into.add("\n");
            }
        });
    }

    private void http(String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        Received into = received(name, server.getAddress().getPort());
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            into.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n"
                    + new String(body, StandardCharsets.ISO_8859_1) + "\n");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        servers.put(name, () -> server.stop(0));
    }

    private Received received(String name, int port) {
        Received into = new Received();
        received.put(name, into);
        ports.put(name, port);
        return into;
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, "log receiver " + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** {@code text} with {@code ${TCP_3000}} (a port) and {@code ${HTTP_4318}} (an address) replaced. */
    String substitute(String text) {
        if (!text.contains("${")) {
            return text;
        }
        for (Map.Entry<String, Integer> port : ports.entrySet()) {
            String value = port.getKey().startsWith("HTTP_") ? "127.0.0.1:" + port.getValue() : port.getValue().toString();
            text = text.replace("${" + port.getKey() + "}", value);
        }
        return text;
    }

    /** Where each receiver's text ends now. */
    Map<String, Integer> marks() {
        Map<String, Integer> marks = new LinkedHashMap<>();
        received.forEach((name, into) -> marks.put(name, into.mark()));
        return marks;
    }

    /** What {@code name} received since {@code marks} were taken. */
    String since(String name, Map<String, Integer> marks) {
        Received into = received.get(name);
        if (into == null) {
            throw new IllegalArgumentException("no log receiver " + name + "; there are " + received.keySet());
        }
        return into.since(marks.getOrDefault(name, 0));
    }

    @Override
    public void close() {
        for (AutoCloseable server : servers.values()) {
            try {
                server.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
        }
    }
}
