package io.tidegate.health;

import io.tidegate.config.HealthChecks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One active check of one node on a fresh connection, as lua-resty-healthcheck does it: tcp only
 * connects; http and https send {@code GET http_path HTTP/1.0} and read the status line. Each
 * step (connect, handshake, send, first line) gets {@code timeout}. Blocking I/O: probes run on
 * their own threads, never on the IO threads.
 */
final class HttpProbe implements Probe {
    private static final int MAX_STATUS_LINE = 1024;

    private final HealthChecks.Active check;
    private final SSLContext tls;

    /** @param tls the client TLS context for type https, null otherwise */
    HttpProbe(HealthChecks.Active check, SSLContext tls) {
        this.check = check;
        this.tls = tls;
    }

    @Override
    public Result run(ProbeTarget target) {
        int port = check.port() != null ? check.port() : target.port();
        int timeoutMillis = (int) Math.max(1, Math.round(check.timeout() * 1000));
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(timeoutMillis);
            socket.connect(new InetSocketAddress(target.ip(), port), timeoutMillis);
            if ("tcp".equals(check.type())) {
                return Result.of(Outcome.SUCCESS);
            }
            String host = check.host() != null ? check.host() : target.host();
            Socket channel = "https".equals(check.type()) ? handshake(socket, host, port) : socket;
            OutputStream out = channel.getOutputStream();
            out.write(request(host, port).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return status(channel.getInputStream());
        } catch (SocketTimeoutException e) {
            return Result.of(Outcome.TIMEOUT);
        } catch (IOException | RuntimeException e) {
            return Result.of(Outcome.TCP_FAILURE);
        }
    }

    private Socket handshake(Socket socket, String host, int port) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, host, port, true);
        SSLParameters parameters = ssl.getSSLParameters();
        if (isName(host)) {
            parameters.setServerNames(List.of(new SNIHostName(host)));
        }
        if (check.httpsVerifyCertificate()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        ssl.setSSLParameters(parameters);
        ssl.startHandshake();
        return ssl;
    }

    private String request(String host, int port) {
        boolean defaultPort = port == ("https".equals(check.type()) ? 443 : 80);
        String hostHeader = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + (defaultPort ? "" : ":" + port);
        StringBuilder request = new StringBuilder(128).append("GET ").append(check.httpPath()).append(" HTTP/1.0\r\n")
                .append("Host: ").append(hostHeader).append("\r\n");
        for (String header : check.reqHeaders()) {
            request.append(header).append("\r\n");
        }
        return request.append("Connection: close\r\n\r\n").toString();
    }

    /** Reads {@code HTTP/1.x NNN ...}; anything else is a broken node (a TCP failure). */
    private static Result status(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0 || line.length() > MAX_STATUS_LINE) {
                return Result.of(Outcome.TCP_FAILURE);
            }
            line.append((char) c);
        }
        String[] parts = line.toString().trim().split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("[1-5][0-9][0-9]")) {
            return Result.of(Outcome.TCP_FAILURE);
        }
        return new Result(null, Integer.parseInt(parts[1]));
    }

    private static boolean isName(String host) {
        return host.indexOf(':') < 0 && !host.matches("[0-9.]+");
    }
}
