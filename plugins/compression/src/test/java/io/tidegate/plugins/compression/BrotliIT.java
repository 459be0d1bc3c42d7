package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** brotli through the real gateway, with the plugin jar as built: what a client decodes is what the origin sent. */
class BrotliIT {
    @RegisterExtension
    static final Origin origin = new Origin();

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - { id: text, uri: /text, plugins: { brotli: { types: ["text/plain", "text/html"], vary: true } }, upstream: { nodes: { "%1$s": 1 } } }
                  - id: strict
                    uri: /strict
                    plugins: { brotli: { types: "*", min_length: 100, comp_level: 11, lgwin: 22, mode: 1 } }
                    upstream: { nodes: { "%1$s": 1 } }
                """.formatted(origin.address()));
    }

    @Test
    void fiveMegabytesStreamedComeBackByteForByte() {
        int size = 5 << 20;
        try (TestGateway gw = gateway()) {
            HttpResponse<byte[]> response = Client.get(gw, "/text?chunked=1&type=text/plain&n=" + size, "gzip, deflate, br");
            assertEquals(200, response.statusCode());
            assertEquals("br", Client.encoding(response));
            assertFalse(response.headers().firstValue("Content-Length").isPresent(), "the origin streamed it: so does the gateway");
            assertArrayEquals(Origin.text(size), Decoded.brotli(response.body()));
            assertTrue(response.body().length < size / 3, "compressed to " + response.body().length);
        }
    }

    @Test
    void aBodyOfKnownLengthLosesItsLength() {
        try (TestGateway gw = gateway()) {
            HttpResponse<byte[]> response = Client.get(gw, "/text?n=1000000", "br");
            assertEquals("br", Client.encoding(response));
            assertFalse(response.headers().firstValue("Content-Length").isPresent());
            assertArrayEquals(Origin.text(1_000_000), Decoded.brotli(response.body()));
        }
    }

    @Test
    void qValuesDecide() {
        try (TestGateway gw = gateway()) {
            for (String refused : List.of("br;q=0", "gzip;q=0.5, br;q=0", "gzip, deflate", "br;q=0, *", "identity")) {
                HttpResponse<byte[]> response = Client.get(gw, "/text?n=50000", refused);
                assertEquals(null, Client.encoding(response), refused);
                assertEquals("50000", response.headers().firstValue("Content-Length").orElse(null), refused);
                assertArrayEquals(Origin.text(50_000), response.body(), refused);
            }
            for (String taken : List.of("*;q=0.1", "gzip, br", "gzip;q=1.0, br;q=0.1", "BR")) {
                HttpResponse<byte[]> response = Client.get(gw, "/text?n=50000", taken);
                assertEquals("br", Client.encoding(response), taken);
                assertArrayEquals(Origin.text(50_000), Decoded.brotli(response.body()), taken);
            }
            assertEquals(null, Client.encoding(Client.get(gw, "/text?n=50000", null)), "no Accept-Encoding, no compression");
        }
    }

    @Test
    void theHeadTellsCachesWhatChanged() {
        try (TestGateway gw = gateway()) {
            HttpResponse<byte[]> tagged = Client.get(gw, "/text?n=5000&etag=%22v1%22&vary=Origin", "br");
            assertEquals("br", Client.encoding(tagged));
            assertEquals("W/\"v1\"", tagged.headers().firstValue("ETag").orElse(null), "a strong tag becomes weak");
            assertEquals(List.of("Origin", "Accept-Encoding"), tagged.headers().allValues("Vary"), "the upstream's Vary stays");
            HttpResponse<byte[]> weak = Client.get(gw, "/text?n=5000&etag=W/%22v2%22", "br");
            assertEquals("W/\"v2\"", weak.headers().firstValue("ETag").orElse(null));
            HttpResponse<byte[]> bare = Client.get(gw, "/text?n=5000&etag=v3", "br");
            assertFalse(bare.headers().firstValue("ETag").isPresent(), "a tag that is not one goes");
            HttpResponse<byte[]> plain = Client.get(gw, "/text?n=5000&etag=%22v1%22", "gzip");
            assertEquals("\"v1\"", plain.headers().firstValue("ETag").orElse(null), "uncompressed: untouched");
            assertEquals(List.of(), plain.headers().allValues("Vary"), "as APISIX, only a compressed answer says Vary");
        }
    }

    @Test
    void typesLengthAndEncodingAreRespected() {
        try (TestGateway gw = gateway()) {
            assertEquals(null, Client.encoding(Client.get(gw, "/text?n=5000&type=application/json", "br")), "types");
            assertEquals(null, Client.encoding(Client.get(gw, "/text?n=5000&type=none", "br")), "no Content-Type");
            assertEquals("br", Client.encoding(Client.get(gw, "/text?n=5000&type=text/plain;%20charset=utf-8", "br")));
            assertEquals(null, Client.encoding(Client.get(gw, "/strict?n=99", "br")), "min_length 100");
            HttpResponse<byte[]> hundred = Client.get(gw, "/strict?n=100&type=image/svg%2Bxml", "br");
            assertEquals("br", Client.encoding(hundred), "types *");
            assertArrayEquals(Origin.text(100), Decoded.brotli(hundred.body()), "quality 11, window 22, text mode");
            HttpResponse<byte[]> encoded = Client.get(gw, "/text?n=5000&encoding=gzip", "gzip, br");
            assertEquals("gzip", Client.encoding(encoded), "brotli.t test 31: an encoded answer is left alone");
            assertArrayEquals(Origin.text(5000), encoded.body());
        }
    }

    @Test
    void httpVersionCountsTheClientsRequest() throws Exception {
        try (TestGateway gw = gateway()) {
            String http10 = Client.rawHead(gw, "HTTP/1.0", "/text?n=5000", "br");
            assertTrue(http10.startsWith("HTTP/1.0 200") || http10.startsWith("HTTP/1.1 200"), http10);
            assertFalse(http10.toLowerCase().contains("content-encoding"), http10);
            String http11 = Client.rawHead(gw, "HTTP/1.1", "/text?n=5000", "br");
            assertTrue(http11.toLowerCase().contains("content-encoding: br"), http11);
        }
    }

    @Test
    void aStreamedAnswerReachesTheClientAsItComes() {
        try (TestGateway gw = gateway()) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                HttpResponse<InputStream> response = gw.send(gw.request("/text?type=text/plain&hold=30000&n=100000")
                        .header("Accept-Encoding", "br").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                assertEquals("br", Client.encoding(response));
                // the origin holds the rest back until the client has decoded 30,000 bytes
                byte[] decoded = Client.decodeAsItComes(response, IncrementalDecoder.brotli(), 30_000, origin::release);
                assertArrayEquals(Origin.text(100_000), decoded);
            });
        }
    }

    /** The gateway's class path has brotli4j too (this test decodes with it): the plugin must not be using that copy. */
    @Test
    void theNativeLoadsFromThePluginJarInsidePf4j() throws Exception {
        try (TestGateway gw = gateway()) {
            ClassLoader plugin = gw.gateway().plugins().get("brotli").plugin().getClass().getClassLoader();
            assertNotSame(BrotliIT.class.getClassLoader(), plugin, "loaded by PF4J from the jar");
            Class<?> loader = plugin.loadClass("com.aayushatharva.brotli4j.Brotli4jLoader");
            assertSame(plugin, loader.getClassLoader(), "brotli4j is in the plugin jar");
            assertEquals(Boolean.TRUE, loader.getMethod("isAvailable").invoke(null), "and its native loaded there");
            assertEquals("br", Client.encoding(Client.get(gw, "/text?n=5000", "br")));
        }
    }
}
