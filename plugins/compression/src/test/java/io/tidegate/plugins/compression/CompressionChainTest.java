package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * gzip, brotli and zstd on one route, run as the gateway orders them (priority: zstd 997, brotli
 * 996, gzip 995): the first whose coding the client takes at all (q > 0, or by {@code *})
 * compresses; the others see its Content-Encoding and pass the body on.
 */
class CompressionChainTest {
    private static PluginInstance[] chain() throws Exception {
        List<GatewayPlugin<?>> plugins = Stream.<GatewayPlugin<?>>of(new GzipPlugin(), new ZstdPlugin(), new BrotliPlugin())
                .sorted(Comparator.comparingInt(GatewayPlugin<?>::priority).reversed()).toList();
        assertEquals(List.of("zstd", "brotli", "gzip"), plugins.stream().map(GatewayPlugin::name).toList());
        PluginInstance[] chain = new PluginInstance[plugins.size()];
        for (int i = 0; i < chain.length; i++) {
            chain[i] = PluginRunner.create(plugins.get(i), "{\"types\": \"*\", \"vary\": true}");
        }
        return chain;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "gzip, br, zstd                   | zstd",
        "zstd;q=0.1, br, gzip             | zstd",
        "gzip, br                         | br",
        "br;q=0.2, gzip;q=1               | br",
        "gzip                             | gzip",
        "zstd;q=0, br;q=0.5, gzip         | br",
        "zstd;q=0, br;q=0, gzip;q=0.3     | gzip",
        "*;q=0.1                          | zstd",
        "zstd;q=0, *                      | br",
        "identity                         | NONE",
        "gzip;q=0, br;q=0, zstd;q=0, *    | NONE",
    })
    void theHighestPriorityCodingTheClientTakesWins(String accept, String coding) throws Exception {
        byte[] body = Origin.text(50_000);
        Exchange exchange = Exchange.run(TestContext.get("/").header("Accept-Encoding", accept), 200,
                Map.of("Content-Type", "text/html", "Content-Length", "50000"), body, 8192, chain());
        assertEquals(coding, exchange.header("Content-Encoding"));
        assertArrayEquals(body, Decoded.by(coding, exchange.body()), "compressed once, by one plugin");
    }

    @Test
    void onlyTheOneThatCompressesSaysVary() throws Exception {
        Exchange exchange = Exchange.run(TestContext.get("/").header("Accept-Encoding", "br, gzip"), 200,
                Map.of("Content-Type", "text/html"), Origin.text(1000), 8192, chain());
        assertEquals(List.of("Accept-Encoding"), exchange.headers("Vary"));
    }
}
