package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.tidegate.testing.LogCapture;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway where neither native library can load (both bindings are pointed at a file that is
 * not there, as on a platform the jar has no native for): the plugins load and take their
 * configurations, responses pass uncompressed, and each says so once.
 */
class NativeFallbackIT {
    @RegisterExtension
    static final Origin origin = new Origin();

    @Test
    void withoutNativesEveryAnswerPassesUncompressedAndEachPluginWarnsOnce() {
        // read by each binding's loader when a class loader first loads it: this gateway's plugin jar, now
        String brotli = System.setProperty("brotli4j.library.path", "/nonexistent/libbrotli.so");
        String zstd = System.setProperty("ZstdNativePath", "/nonexistent/libzstd-jni.so");
        try (LogCapture logs = new LogCapture(); TestGateway gw = PluginGateway.start("""
                routes:
                  - { id: a, uri: /text, plugins: { brotli: { types: "*" }, zstd: { types: "*" } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: b, uri: /other, plugins: { brotli: { vary: true }, zstd: { comp_level: 9 } }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(origin.address()))) {
            for (String path : List.of("/text?n=40000", "/other?n=40000", "/text?chunked=1&n=40000")) {
                HttpResponse<byte[]> response = Client.get(gw, path, "zstd, br, *");
                assertEquals(200, response.statusCode(), path);
                assertEquals(null, Client.encoding(response), path);
                assertArrayEquals(Origin.text(40_000), response.body(), path);
            }
            assertEquals("40000", Client.get(gw, "/text?n=40000", "br").headers().firstValue("Content-Length").orElse(null));
            for (String plugin : List.of("brotli", "zstd")) {
                List<String> warnings = logs.events().stream()
                        .filter(e -> e.getLoggerName().equals("tidegate.plugin." + plugin) && e.getLevel() == Level.WARN)
                        .map(ILoggingEvent::getFormattedMessage).toList();
                assertEquals(1, warnings.size(), plugin + ": " + warnings);
                assertTrue(warnings.get(0).contains("/nonexistent/") && warnings.get(0).contains("responses pass uncompressed"),
                        warnings.get(0));
            }
        } finally {
            restore("brotli4j.library.path", brotli);
            restore("ZstdNativePath", zstd);
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }
}
