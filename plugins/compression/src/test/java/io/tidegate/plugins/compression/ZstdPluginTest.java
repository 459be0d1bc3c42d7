package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.schema.BoundSchema;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** zstd: brotli's rules under its own coding name, and a frame any HTTP client can decode. */
class ZstdPluginTest {
    private static final ZstdPlugin PLUGIN = new ZstdPlugin();

    private static PluginInstance zstd(String config) throws Exception {
        return PluginRunner.create(PLUGIN, config);
    }

    private static Exchange exchange(PluginInstance instance, String accept, Map<String, String> headers, byte[] body, int chunk) {
        TestContext request = TestContext.get("/");
        if (accept != null) {
            request.header("Accept-Encoding", accept);
        }
        return Exchange.run(request, 200, headers, body, chunk, instance);
    }

    @Test
    void defaultsAndLimits() throws Exception {
        ZstdPlugin.Settings defaults = BoundSchema.compile(PLUGIN.configSchema()).bind(PluginRunner.json("{}"));
        assertEquals("[\"text/html\"]", defaults.types().toString());
        assertEquals(List.of(20, 3), List.of(defaults.minLength(), defaults.compLevel()));
        assertEquals(1.1, defaults.httpVersion());
        assertNull(defaults.vary());
        for (String bad : List.of("{\"comp_level\": 0}", "{\"comp_level\": 23}", "{\"min_length\": 0}", "{\"types\": []}",
                "{\"http_version\": 2}", "{\"vary\": 1}", "{\"lgwin\": 19}")) {
            assertEquals(1, PluginRunner.violations(PLUGIN, bad).size(), bad + ": " + PluginRunner.violations(PLUGIN, bad));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "zstd                       | true",
        "*                          | true",
        "gzip, br, zstd             | true",
        "gzip, zstd                 | true",
        "*;q=0.1                    | true",
        "zstd;q=0                   | false",
        "zstd;q=0, *                | false",
        "gzip, br                   | false",
        "x-zstd                     | false",
        "NONE                       | false",
    })
    void acceptEncodingDecides(String accept, boolean compressed) throws Exception {
        byte[] body = Origin.text(5000);
        Exchange exchange = exchange(zstd("{}"), accept, Map.of("Content-Type", "text/html", "Content-Length", "5000"), body, 1000);
        assertEquals(compressed ? "zstd" : null, exchange.header("Content-Encoding"));
        assertEquals(compressed ? null : "5000", exchange.header("Content-Length"));
        assertArrayEquals(body, compressed ? Decoded.zstd(exchange.body()) : exchange.body());
    }

    @Test
    void theHeadChangesAsBrotlisDoes() throws Exception {
        PluginInstance zstd = zstd("{\"types\": [\"application/json\"], \"vary\": true, \"min_length\": 100}");
        byte[] body = Origin.text(4000);
        Exchange compressed = exchange(zstd, "zstd", Map.of("Content-Type", "application/json; charset=utf-8", "ETag", "\"v1\"",
                "Vary", "Origin"), body, 4000);
        assertEquals("zstd", compressed.header("Content-Encoding"));
        assertEquals("W/\"v1\"", compressed.header("ETag"));
        assertEquals(List.of("Origin", "Accept-Encoding"), compressed.headers("Vary"));
        assertNull(exchange(zstd, "zstd", Map.of("Content-Type", "text/html"), body, 4000).header("Content-Encoding"), "types");
        assertNull(exchange(zstd, "zstd", Map.of("Content-Type", "application/json", "Content-Length", "99"), body, 4000)
                .header("Content-Encoding"), "min_length");
        assertNull(exchange(zstd, "zstd", Map.of("Content-Type", "application/json", "Content-Encoding", "br"), body, 4000)
                .header("Vary"), "already encoded: untouched");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 9, 19})
    void everyLevelRoundTripsStreamedOrNot(int level) throws Exception {
        byte[] body = Origin.text(400_000);
        PluginInstance zstd = zstd("{\"comp_level\": %d}".formatted(level));
        byte[] streamed = exchange(zstd, "zstd", Map.of("Content-Type", "text/html"), body, 16384).body();
        byte[] known = exchange(zstd, "zstd", Map.of("Content-Type", "text/html", "Content-Length", "400000"), body, 16384).body();
        assertArrayEquals(body, Decoded.zstd(streamed));
        assertArrayEquals(body, Decoded.zstd(known));
        assertTrue(known.length < body.length / 2, "compressed: " + known.length);
    }

    @Test
    void aStreamedBodyIsFlushedChunkByChunk() throws Exception {
        byte[] body = Origin.text(100_000);
        Exchange exchange = exchange(zstd("{}"), "zstd", Map.of("Content-Type", "text/html"), body, 10_000);
        IncrementalDecoder client = IncrementalDecoder.zstd();
        for (int chunk = 0; chunk < 10; chunk++) {
            assertArrayEquals(Arrays.copyOfRange(body, chunk * 10_000, chunk * 10_000 + 10_000), client.feed(exchange.pieces().get(chunk)),
                    "chunk " + chunk + " decodes as soon as its own piece arrives");
        }
    }

    /** RFC 9659: a client need not decode a window over 8 MB; zstd's levels 20-22 would ask for up to 128 MB. */
    @Test
    void theUltraLevelsKeepToTheHttpWindow() throws Exception {
        byte[] body = Origin.text(300_000);
        byte[] frame = exchange(zstd("{\"comp_level\": 22}"), "zstd", Map.of("Content-Type", "text/html"), body, 100_000).body();
        assertArrayEquals(body, Decoded.zstd(frame));
        assertEquals(0, frame[4] & 0x20, "not a single segment: the frame names its window");
        int descriptor = frame[5] & 0xff;
        long base = 1L << (10 + (descriptor >> 3));
        long window = base + base / 8 * (descriptor & 7);
        assertTrue(window <= 8 << 20, "window " + window);
    }

    @Test
    void aReadOnlyChunkIsCompressedToo() throws Exception {
        PluginInstance zstd = zstd("{}");
        TestContext context = TestContext.get("/").header("Accept-Encoding", "zstd");
        zstd.beforeProxy(context);
        context.upstreamResponse(200, Map.of("Content-Type", "text/html"));
        zstd.headerFilter(context);
        byte[] body = Origin.text(30_000);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(10_000).put(body, 0, 10_000).flip();
        for (java.nio.ByteBuffer chunk : List.of(java.nio.ByteBuffer.wrap(body, 10_000, 10_000).asReadOnlyBuffer(), direct)) {
            java.nio.ByteBuffer piece = zstd.bodyFilter(context, chunk, false);
            assertEquals(0, chunk.remaining(), "all of it taken");
            out.writeBytes(Arrays.copyOfRange(piece.array(), piece.position(), piece.limit()));
        }
        java.nio.ByteBuffer end = zstd.bodyFilter(context, java.nio.ByteBuffer.wrap(body, 20_000, 10_000), true);
        out.writeBytes(Arrays.copyOfRange(end.array(), end.position(), end.limit()));
        byte[] expected = new byte[30_000];
        System.arraycopy(body, 10_000, expected, 0, 10_000);
        System.arraycopy(body, 0, expected, 10_000, 10_000);
        System.arraycopy(body, 20_000, expected, 20_000, 10_000);
        assertArrayEquals(expected, Decoded.zstd(out.toByteArray()));
    }

    @Test
    void withoutItsNativeLibraryResponsesPassAsTheyAre() throws Exception {
        PluginRunner.clearLogged();
        ZstdPlugin unloaded = new ZstdPlugin(() -> new NativeLibrary("zstd-jni", "java.lang.UnsatisfiedLinkError: noexec /tmp"));
        for (int i = 0; i < 3; i++) {
            Exchange exchange = exchange(PluginRunner.create(unloaded, "{\"types\": \"*\"}"), "zstd",
                    Map.of("Content-Type", "text/html"), Origin.text(3000), 1000);
            assertNull(exchange.header("Content-Encoding"));
            assertArrayEquals(Origin.text(3000), exchange.body());
        }
        List<String> warnings = PluginRunner.logged().stream().filter(line -> line.contains("[zstd ")).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("zstd-jni") && warnings.get(0).contains("noexec /tmp"), warnings.get(0));
    }
}
