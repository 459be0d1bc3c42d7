package io.tidegate.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Sends a request the way Test::Nginx does, so that what the upstream sees (and echoes) is what
 * APISIX's expectations were written against: exactly the headers the case gives, plus
 * {@code Host: localhost} and {@code Connection: close} unless it gives those, a Content-Length
 * only with a body, no User-Agent; the path is sent as written. The answer is read to the close.
 */
final class TestNginxClient {
    private static final int TIMEOUT_MILLIS = 15_000;

    /** An answer: status, headers by lower-case name, body (chunked framing removed). */
    record Answer(int status, Map<String, List<String>> headers, String body) {
        /** A header's lines joined with ", ", as Test::Nginx reads a repeated header ({@code Vary: Via, Origin}). */
        Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", values));
        }
    }

    private TestNginxClient() {
    }

    static Answer send(InetSocketAddress to, String method, String path, List<Map.Entry<String, String>> headers, String body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        boolean host = false;
        boolean connection = false;
        for (Map.Entry<String, String> h : headers) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            host |= h.getKey().equalsIgnoreCase("Host");
            connection |= h.getKey().equalsIgnoreCase("Connection");
        }
        if (!host) {
            head.append("Host: localhost\r\n");
        }
        if (!connection) {
            head.append("Connection: close\r\n");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0) {
            head.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        head.append("\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(to, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            Answer answer = read(socket.getInputStream(), method.equals("HEAD"));
            // as Test::Nginx: the exchange is over when the gateway closes the connection, which is
            // after its log phase (a limit-conn slot is given back there), not at the last body byte
            socket.getInputStream().readAllBytes();
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " to " + to, e);
        }
    }

    private static Answer read(InputStream in, boolean head) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP answer: " + statusLine);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        int status = Integer.parseInt(parts[1]);
        if (head || status == 204 || status == 304) {
            return new Answer(status, headers, "");
        }
        byte[] body;
        List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
        List<String> length = headers.getOrDefault("content-length", List.of());
        if (encoding.stream().anyMatch(e -> e.equalsIgnoreCase("chunked"))) {
            body = chunked(in);
        } else if (!length.isEmpty()) {
            body = in.readNBytes(Integer.parseInt(length.get(0)));
        } else {
            body = in.readAllBytes();
        }
        return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return out.toByteArray();
            }
            out.write(in.readNBytes(n));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1 && line.size() == 0) {
            return "";
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
