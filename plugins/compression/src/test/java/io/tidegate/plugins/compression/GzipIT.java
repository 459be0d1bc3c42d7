package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** gzip end to end: what a client that accepts gzip gets, decompressed and compared with what one that does not gets. */
class GzipIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - { id: json, uri: /json, plugins: { gzip: { types: ["application/json"], vary: true } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: any, uri: /__bytes, plugins: { gzip: { types: "*", comp_level: 6 } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: html, uri: /html, plugins: { gzip: {} }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()));
    }

    private static HttpResponse<byte[]> get(TestGateway gw, String path, String acceptEncoding) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gw.uri(path)).GET();
        if (acceptEncoding != null) {
            request.header("Accept-Encoding", acceptEncoding);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] gunzip(byte[] bytes) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    @Test
    void aClientThatTakesGzipGetsTheSameBodyCompressed() throws Exception {
        try (TestGateway gw = gateway()) {
            HttpResponse<byte[]> plain = get(gw, "/__bytes?n=1000000&type=application/octet-stream", null);
            HttpResponse<byte[]> gzipped = get(gw, "/__bytes?n=1000000&type=application/octet-stream", "br;q=1.0, gzip;q=0.8");
            assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElseThrow());
            assertFalse(gzipped.headers().firstValue("Content-Length").isPresent(), "streamed, length unknown up front");
            assertArrayEquals(plain.body(), gunzip(gzipped.body()), "1 MB through the streaming compressor, byte for byte");
            assertFalse(plain.headers().firstValue("Content-Encoding").isPresent());
        }
    }

    @Test
    void typesQValuesAndVary() throws Exception {
        try (TestGateway gw = gateway()) {
            HttpResponse<byte[]> json = get(gw, "/json?x=1", "gzip");
            assertEquals("gzip", json.headers().firstValue("Content-Encoding").orElseThrow());
            assertTrue(new String(gunzip(json.body())).contains("\"raw_path\":\"/json\""));
            assertEquals("Accept-Encoding", json.headers().firstValue("Vary").orElseThrow());
            HttpResponse<byte[]> refused = get(gw, "/json", "gzip;q=0, deflate");
            assertFalse(refused.headers().firstValue("Content-Encoding").isPresent(), "q=0 refuses gzip");
            assertEquals("Accept-Encoding", refused.headers().firstValue("Vary").orElseThrow(), "a cache must know the answer varies");
            assertEquals("gzip", get(gw, "/json", "*;q=0.5").headers().firstValue("Content-Encoding").orElseThrow(), "* covers gzip");
            assertFalse(get(gw, "/html", "gzip").headers().firstValue("Content-Encoding").isPresent(),
                    "the default types are text/html only; the upstream answers JSON");
        }
    }
}
