package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** gzip, brotli and zstd on one route of the real gateway: one of them compresses, by priority among what the client takes. */
class CompressionChainIT {
    @RegisterExtension
    static final Origin origin = new Origin();

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - id: all
                    uri: /text
                    plugins:
                      gzip: { types: "*", vary: true }
                      brotli: { types: "*", vary: true }
                      zstd: { types: "*", vary: true }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(origin.address()));
    }

    @Test
    void theHighestPriorityCodingTheClientTakesCompressesAlone() {
        String[][] cases = {
            {"gzip, deflate, br, zstd", "zstd"},
            {"gzip, br", "br"},
            {"gzip", "gzip"},
            {"br;q=0.1, gzip;q=1", "br"},
            {"zstd;q=0, br;q=0.5, gzip", "br"},
            {"zstd;q=0, br;q=0, gzip;q=0.3", "gzip"},
            {"*;q=0.1", "zstd"},
            {"identity", null},
            {"gzip;q=0, br;q=0, zstd;q=0", null},
        };
        try (TestGateway gw = gateway()) {
            for (String[] c : cases) {
                for (String query : List.of("n=300000", "n=300000&chunked=1")) {
                    HttpResponse<byte[]> response = Client.get(gw, "/text?" + query, c[0]);
                    String label = c[0] + " (" + query + ")";
                    assertEquals(c[1], Client.encoding(response), label);
                    assertArrayEquals(Origin.text(300_000), Client.decoded(response), label + ": encoded once");
                    // said once: by the plugin that compressed, or by gzip, which says it whenever type and length match
                    assertEquals(List.of("Accept-Encoding"), response.headers().allValues("Vary"), label);
                }
            }
        }
    }

    @Test
    void fiveMegabytesStreamedThroughAllThree() {
        int size = 5 << 20;
        try (TestGateway gw = gateway()) {
            for (String accept : List.of("zstd", "br", "gzip")) {
                HttpResponse<byte[]> response = Client.get(gw, "/text?chunked=1&n=" + size, accept);
                assertEquals(accept, Client.encoding(response));
                byte[] decoded = Client.decoded(response);
                assertEquals(size, decoded.length, accept);
                assertArrayEquals(Origin.text(size), decoded, accept);
            }
        }
    }

    /** Many requests at once on the two IO threads: every stream keeps to its own encoder. */
    @Test
    void concurrentResponsesDoNotMix() throws Exception {
        try (TestGateway gw = gateway()) {
            List<String> accepts = List.of("zstd", "br", "gzip", "br, zstd", "gzip, br");
            var futures = java.util.stream.IntStream.range(0, 40).mapToObj(i -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                int n = 20_000 + i * 7919;
                HttpResponse<byte[]> response = Client.get(gw, "/text?chunked=1&n=" + n, accepts.get(i % accepts.size()));
                return Arrays.equals(Origin.text(n), Client.decoded(response));
            })).toList();
            for (var future : futures) {
                assertEquals(Boolean.TRUE, future.get());
            }
        }
    }
}
