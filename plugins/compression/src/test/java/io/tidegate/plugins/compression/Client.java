package io.tidegate.plugins.compression;

import io.tidegate.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Requests to the gateway as the compression ITs make them. */
final class Client {
    private Client() {}

    /** GET with {@code acceptEncoding} (none when null), the body as the bytes that came. */
    static HttpResponse<byte[]> get(TestGateway gateway, String path, String acceptEncoding) {
        HttpRequest.Builder request = gateway.request(path).GET();
        if (acceptEncoding != null) {
            request.header("Accept-Encoding", acceptEncoding);
        }
        return gateway.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String encoding(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Encoding").orElse(null);
    }

    /** What the client reads: the body decoded by its Content-Encoding. */
    static byte[] decoded(HttpResponse<byte[]> response) {
        return Decoded.by(encoding(response), response.body());
    }

    /**
     * The response head to a raw request on {@code protocol} ("HTTP/1.0"), read to the end of the
     * connection, which the gateway closes after answering.
     */
    static String rawHead(TestGateway gateway, String protocol, String path, String acceptEncoding) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " " + protocol + "\r\nHost: 127.0.0.1\r\nConnection: close\r\nAccept-Encoding: "
                    + acceptEncoding + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            return text.substring(0, text.indexOf("\r\n\r\n"));
        }
    }

    /**
     * Reads a compressed streamed body as a client would, decoding each piece as it comes: until
     * {@code before} bytes are decoded (the origin holds the rest back until then, so they can
     * only have come streamed), then {@code release} lets the origin go on, then to the end.
     */
    static byte[] decodeAsItComes(HttpResponse<InputStream> response, IncrementalDecoder decoder, int before,
                                  Runnable release) throws IOException {
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        InputStream body = response.body();
        byte[] buffer = new byte[8192];
        while (decoded.size() < before) {
            int n = body.read(buffer);
            if (n <= 0) {
                throw new IOException("the stream ended after " + decoded.size() + " decoded bytes");
            }
            decoded.writeBytes(decoder.feed(Arrays.copyOf(buffer, n)));
        }
        release.run();
        for (int n; (n = body.read(buffer)) > 0; ) {
            decoded.writeBytes(decoder.feed(Arrays.copyOf(buffer, n)));
        }
        return decoded.toByteArray();
    }
}
