package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

/** zstd through the real gateway, with the plugin jar as built, decoded with zstd-jni. */
class ZstdIT {
    @RegisterExtension
    static final Origin origin = new Origin();

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - { id: text, uri: /text, plugins: { zstd: { types: ["text/plain", "text/html"], vary: true } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: high, uri: /high, plugins: { zstd: { types: "*", comp_level: 19 } }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(origin.address()));
    }

    @Test
    void fiveMegabytesStreamedComeBackByteForByte() {
        int size = 5 << 20;
        try (TestGateway gw = gateway()) {
            HttpResponse<byte[]> response = Client.get(gw, "/text?chunked=1&type=text/plain&n=" + size, "gzip, br, zstd");
            assertEquals("zstd", Client.encoding(response));
            assertFalse(response.headers().firstValue("Content-Length").isPresent());
            assertEquals(List.of("Accept-Encoding"), response.headers().allValues("Vary"));
            assertArrayEquals(Origin.text(size), Decoded.zstd(response.body()));
            assertTrue(response.body().length < size / 3, "compressed to " + response.body().length);
        }
    }

    @Test
    void qValuesDecide() {
        try (TestGateway gw = gateway()) {
            for (String refused : List.of("zstd;q=0", "gzip, br", "zstd;q=0, *", "identity")) {
                HttpResponse<byte[]> response = Client.get(gw, "/text?n=50000", refused);
                assertEquals(null, Client.encoding(response), refused);
                assertArrayEquals(Origin.text(50_000), response.body(), refused);
            }
            for (String taken : List.of("*;q=0.1", "gzip, zstd", "br;q=1, zstd;q=0.1")) {
                HttpResponse<byte[]> response = Client.get(gw, "/text?n=50000", taken);
                assertEquals("zstd", Client.encoding(response), taken);
                assertArrayEquals(Origin.text(50_000), Decoded.zstd(response.body()), taken);
            }
        }
    }

    @Test
    void aHighLevelKnownLengthBodyAndItsHead() {
        try (TestGateway gw = gateway()) {
            HttpResponse<byte[]> response = Client.get(gw, "/high?n=1000000&type=application/json&etag=%22j%22", "zstd");
            assertEquals("zstd", Client.encoding(response));
            assertEquals("W/\"j\"", response.headers().firstValue("ETag").orElse(null));
            assertFalse(response.headers().firstValue("Content-Length").isPresent());
            assertArrayEquals(Origin.text(1_000_000), Decoded.zstd(response.body()));
            assertEquals(null, Client.encoding(Client.get(gw, "/high?n=19", "zstd")), "min_length 20");
        }
    }

    @Test
    void aStreamedAnswerReachesTheClientAsItComes() {
        try (TestGateway gw = gateway()) {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                HttpResponse<InputStream> response = gw.send(gw.request("/text?type=text/plain&hold=30000&n=100000")
                        .header("Accept-Encoding", "zstd").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                assertEquals("zstd", Client.encoding(response));
                // the origin holds the rest back until the client has decoded 30,000 bytes
                byte[] decoded = Client.decodeAsItComes(response, IncrementalDecoder.zstd(), 30_000, origin::release);
                assertArrayEquals(Origin.text(100_000), decoded);
            });
        }
    }

    @Test
    void theNativeLoadsFromThePluginJarInsidePf4j() throws Exception {
        try (TestGateway gw = gateway()) {
            ClassLoader plugin = gw.gateway().plugins().get("zstd").plugin().getClass().getClassLoader();
            Class<?> nativeLoader = plugin.loadClass("com.github.luben.zstd.util.Native");
            assertSame(plugin, nativeLoader.getClassLoader(), "zstd-jni is in the plugin jar");
            assertEquals("zstd", Client.encoding(Client.get(gw, "/text?n=5000", "zstd")));
            assertEquals(Boolean.TRUE, nativeLoader.getMethod("isLoaded").invoke(null), "and its native loaded there");
        }
    }
}
