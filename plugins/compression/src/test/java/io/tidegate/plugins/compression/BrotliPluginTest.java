package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.schema.BoundSchema;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** brotli as APISIX's t/plugin/brotli.t specifies it, through the gateway's own binding. */
class BrotliPluginTest {
    private static final BrotliPlugin PLUGIN = new BrotliPlugin();
    private static final byte[] BODY = "0123456789\n012345678\n".getBytes(StandardCharsets.US_ASCII);

    private static PluginInstance brotli(String config) throws Exception {
        return PluginRunner.create(PLUGIN, config);
    }

    /** The upstream answers 200 with {@code headers} and {@link #BODY}; the request carries Accept-Encoding {@code accept}. */
    private static Exchange exchange(PluginInstance instance, String accept, Map<String, String> headers) {
        TestContext request = TestContext.request("POST", "/echo");
        if (accept != null) {
            request.header("Accept-Encoding", accept);
        }
        return Exchange.run(request, 200, headers, BODY, 1024, instance);
    }

    private static Exchange html(PluginInstance instance, String accept) {
        return exchange(instance, accept, Map.of("Content-Type", "text/html", "Content-Length", "21"));
    }

    @Test
    void defaultsAreApisixs() throws Exception {
        BrotliPlugin.Settings defaults = BoundSchema.compile(PLUGIN.configSchema()).bind(PluginRunner.json("{}"));
        assertEquals("[\"text/html\"]", defaults.types().toString());
        assertEquals(List.of(20, 6, 0, 19, 0), List.of(defaults.minLength(), defaults.compLevel(), defaults.mode(),
                defaults.lgwin(), defaults.lgblock()));
        assertEquals(1.1, defaults.httpVersion());
        assertNull(defaults.vary(), "vary has no default");
        BrotliPlugin.Settings set = BoundSchema.compile(PLUGIN.configSchema()).bind(PluginRunner.json(
                "{\"mode\": 2, \"comp_level\": 5, \"lgwin\": 12, \"lgblock\": 16, \"vary\": true, \"types\": \"*\"}"));
        assertEquals(List.of(2, 5, 12, 16), List.of(set.mode(), set.compLevel(), set.lgwin(), set.lgblock()));
        assertEquals("\"*\"", set.types().toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"types\": []}          | types",
        "{\"types\": \"text\"}    | types",
        "{\"min_length\": 0}      | min_length",
        "{\"mode\": 4}            | mode",
        "{\"comp_level\": 12}     | comp_level",
        "{\"comp_level\": -1}     | comp_level",
        "{\"http_version\": 2}    | http_version",
        "{\"lgwin\": 100}         | lgwin",
        "{\"lgwin\": 9}           | lgwin",
        "{\"lgblock\": 8}         | lgblock",
        "{\"vary\": 0}            | vary",
    })
    void theSchemaRefusesWhatApisixRefuses(String config, String field) {
        List<String> violations = PluginRunner.violations(PLUGIN, config);
        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.get(0).startsWith(field + ":"), violations.toString());
    }

    /** brotli.t tests 2-10, and what RFC 9110 adds to them. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "br                                        | true",
        "*                                         | true",
        "gzip                                      | false",
        "gzip, br                                  | true",
        "gzip, *                                   | true",
        "gzip, deflate                             | false",
        "gzip;q=0.5, br;q=0.6                      | true",
        "gzip;q=0.5, br;q=0                        | false",
        "gzip;q=0.8, deflate, sdch;q=0.6, *;q=0.1  | true",
        "gzip;q=1.0, br;q=0.1                      | true",
        "br;q=0.0                                  | false",
        "BR                                        | true",
        "br;q=0, *                                 | false",
        "identity                                  | false",
        "NONE                                      | false",
    })
    void acceptEncodingDecides(String accept, boolean compressed) throws Exception {
        Exchange exchange = html(brotli("{}"), accept);
        assertEquals(compressed ? "br" : null, exchange.header("Content-Encoding"));
        assertNull(exchange.header("Vary"), "vary is off");
        assertArrayEquals(BODY, compressed ? Decoded.brotli(exchange.body()) : exchange.body());
    }

    @Test
    void minLengthAppliesToAKnownLengthOnly() throws Exception {
        PluginInstance brotli = brotli("{\"min_length\": 21}");
        assertEquals("br", html(brotli, "br").header("Content-Encoding"), "21 bytes");
        assertNull(exchange(brotli, "br", Map.of("Content-Type", "text/html", "Content-Length", "20")).header("Content-Encoding"));
        assertEquals("br", exchange(brotli, "br", Map.of("Content-Type", "text/html")).header("Content-Encoding"),
                "streamed: no length to hold against min_length");
    }

    @Test
    void typesMatchTheMediaTypeWithoutParameters() throws Exception {
        PluginInstance some = brotli("{\"types\": [\"text/plain\", \"text/xml\"]}");
        assertNull(exchange(some, "br", Map.of("Content-Type", "text/html")).header("Content-Encoding"));
        assertEquals("br", exchange(some, "br", Map.of("Content-Type", "text/xml")).header("Content-Encoding"));
        assertEquals("br", exchange(some, "br", Map.of("Content-Type", "text/plain; charset=UTF-8")).header("Content-Encoding"));
        PluginInstance any = brotli("{\"types\": \"*\"}");
        assertEquals("br", exchange(any, "br", Map.of("Content-Type", "video/3gpp")).header("Content-Encoding"));
        assertNull(exchange(any, "br", Map.of()).header("Content-Encoding"), "no Content-Type, no compression");
    }

    @Test
    void httpVersionIsTheLeastCompressedFor() throws Exception {
        PluginInstance brotli = brotli("{\"http_version\": 1.1}");
        TestContext http10 = TestContext.request("POST", "/echo").header("Accept-Encoding", "br").var("server_protocol", "HTTP/1.0");
        assertNull(Exchange.run(http10, 200, Map.of("Content-Type", "text/html"), BODY, 64, brotli).header("Content-Encoding"));
        TestContext http2 = TestContext.request("POST", "/echo").header("Accept-Encoding", "br").var("server_protocol", "HTTP/2.0");
        assertEquals("br", Exchange.run(http2, 200, Map.of("Content-Type", "text/html"), BODY, 64, brotli).header("Content-Encoding"));
        TestContext again = TestContext.request("POST", "/echo").header("Accept-Encoding", "br").var("server_protocol", "HTTP/1.0");
        assertEquals("br", Exchange.run(again, 200, Map.of("Content-Type", "text/html"), BODY, 64, brotli("{\"http_version\": 1.0}"))
                .header("Content-Encoding"));
    }

    @Test
    void anEncodedResponseIsLeftAlone() throws Exception {
        Exchange gzipped = exchange(brotli("{\"types\": \"*\"}"), "gzip, br",
                Map.of("Content-Type", "text/html", "Content-Encoding", "gzip", "Content-Length", "21"));
        assertEquals("gzip", gzipped.header("Content-Encoding"));
        assertEquals("21", gzipped.header("Content-Length"));
        assertArrayEquals(BODY, gzipped.body());
        assertEquals("br", exchange(brotli("{}"), "br", Map.of("Content-Type", "text/html", "Content-Encoding", "identity"))
                .header("Content-Encoding"), "identity is no encoding");
    }

    @Test
    void compressingRewritesTheHead() throws Exception {
        Exchange exchange = exchange(brotli("{}"), "br",
                Map.of("Content-Type", "text/html", "Content-Length", "21", "Accept-Ranges", "bytes", "Last-Modified",
                        "Thu, 27 Nov 2025 00:32:33 GMT"));
        assertEquals("br", exchange.header("Content-Encoding"));
        assertNull(exchange.header("Content-Length"));
        assertNull(exchange.header("Accept-Ranges"), "ranges of the uncompressed body no longer apply");
        assertEquals("Thu, 27 Nov 2025 00:32:33 GMT", exchange.header("Last-Modified"));
    }

    /** brotli.t tests 33-37. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "GONE", value = {
        "123456789         | GONE",
        "W/\"123456789\"   | W/\"123456789\"",
        "\"123456789\"     | W/\"123456789\"",
        "\"12\"34\"        | GONE",
        "\"\"              | W/\"\"",
    })
    void theETagBecomesWeakOrGoes(String etag, String sent) throws Exception {
        Exchange exchange = exchange(brotli("{}"), "br", Map.of("Content-Type", "text/html", "ETag", etag));
        assertEquals("br", exchange.header("Content-Encoding"));
        assertEquals(sent, exchange.header("ETag"));
    }

    @Test
    void theETagOfAnUncompressedAnswerStays() throws Exception {
        assertEquals("\"123456789\"", exchange(brotli("{}"), "gzip", Map.of("Content-Type", "text/html", "ETag", "\"123456789\""))
                .header("ETag"));
    }

    @Test
    void varyIsAddedToACompressedAnswerBesideTheUpstreams() throws Exception {
        PluginInstance vary = brotli("{\"vary\": true}");
        assertEquals(List.of("upstream", "Accept-Encoding"),
                exchange(vary, "br", Map.of("Content-Type", "text/html", "Vary", "upstream")).headers("Vary"), "brotli.t test 26");
        assertEquals(List.of("Origin, accept-encoding"),
                exchange(vary, "br", Map.of("Content-Type", "text/html", "Vary", "Origin, accept-encoding")).headers("Vary"),
                "named already: not twice");
        assertEquals(List.of(), exchange(vary, "gzip", Map.of("Content-Type", "text/html")).headers("Vary"),
                "as APISIX: only a compressed answer gets it");
        assertEquals(List.of("upstream"),
                exchange(brotli("{}"), "br", Map.of("Content-Type", "text/html", "Vary", "upstream")).headers("Vary"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET  | 204 | ",
        "GET  | 304 | ",
        "GET  | 206 | bytes 0-20/100",
        "GET  | 200 | bytes 0-20/100",
        "HEAD | 200 | ",
    })
    void noBodyOrAPartOfOneIsNeverLabelled(String method, int status, String contentRange) throws Exception {
        TestContext request = TestContext.request(method, "/echo").header("Accept-Encoding", "br");
        Map<String, String> headers = contentRange == null ? Map.of("Content-Type", "text/html")
                : Map.of("Content-Type", "text/html", "Content-Range", contentRange);
        assertNull(Exchange.run(request, status, headers, BODY, 64, brotli("{}")).header("Content-Encoding"));
    }

    @Test
    void anotherStatusWithABodyIsCompressed() throws Exception {
        TestContext request = TestContext.get("/missing").header("Accept-Encoding", "br");
        Exchange notFound = Exchange.run(request, 500, Map.of("Content-Type", "text/html"), BODY, 64, brotli("{}"));
        assertEquals("br", notFound.header("Content-Encoding"), "as APISIX: any status with a body");
        assertArrayEquals(BODY, Decoded.brotli(notFound.body()));
    }

    @Test
    void anAnswerGivenBeforeTheProxyIsNotLabelled() throws Exception {
        // a 403 from an access plugin: header_filter runs, before_proxy and body_filter never do
        TestContext context = TestContext.get("/").header("Accept-Encoding", "br");
        PluginInstance brotli = brotli("{\"types\": \"*\"}");
        context.upstreamResponse(403, Map.of("Content-Type", "text/html"));
        brotli.headerFilter(context);
        assertNull(context.response().header("Content-Encoding"), "its body is sent as it is: it must not be called br");
    }

    @Test
    void aKnownLengthBodyRoundTrips() throws Exception {
        byte[] body = Origin.text(300_000);
        Exchange exchange = Exchange.run(TestContext.get("/").header("Accept-Encoding", "br"), 200,
                Map.of("Content-Type", "text/html", "Content-Length", "300000"), body, 16384, brotli("{}"));
        assertArrayEquals(body, Decoded.brotli(exchange.body()));
        assertTrue(exchange.body().length < body.length / 2, "compressed: " + exchange.body().length);
    }

    @Test
    void aStreamedBodyIsFlushedChunkByChunk() throws Exception {
        byte[] body = Origin.text(100_000);
        Exchange exchange = Exchange.run(TestContext.get("/").header("Accept-Encoding", "br"), 200,
                Map.of("Content-Type", "text/html"), body, 10_000, brotli("{}"));
        assertArrayEquals(body, Decoded.brotli(exchange.body()));
        IncrementalDecoder client = IncrementalDecoder.brotli();
        for (int chunk = 0; chunk < 10; chunk++) {
            assertArrayEquals(Arrays.copyOfRange(body, chunk * 10_000, chunk * 10_000 + 10_000), client.feed(exchange.pieces().get(chunk)),
                    "chunk " + chunk + " decodes as soon as its own piece arrives: the client need not wait");
        }
    }

    @Test
    void aHigherLevelCompressesMore() throws Exception {
        byte[] body = "0123".repeat(1024).getBytes(StandardCharsets.US_ASCII);  // brotli.t test 13
        Map<String, String> head = Map.of("Content-Type", "text/html");
        byte[] fast = Exchange.run(TestContext.get("/").header("Accept-Encoding", "br"), 200, head, body, 1000,
                brotli("{\"comp_level\": 0}")).body();
        byte[] best = Exchange.run(TestContext.get("/").header("Accept-Encoding", "br"), 200, head, body, 1000,
                brotli("{\"comp_level\": 11}")).body();
        assertTrue(fast.length < 4096 && best.length < fast.length, fast.length + " then " + best.length);
        assertArrayEquals(body, Decoded.brotli(fast));
        assertArrayEquals(body, Decoded.brotli(best));
    }

    @ParameterizedTest
    @CsvSource({"0, 0, 0", "1, 10, 16", "2, 24, 24", "1, 19, 0"})
    void everyModeAndWindowDecodes(int mode, int lgwin, int lgblock) throws Exception {
        byte[] body = Origin.text(200_000);
        PluginInstance brotli = brotli("{\"mode\": %d, \"lgwin\": %d, \"lgblock\": %d}".formatted(mode, lgwin, lgblock));
        Exchange exchange = Exchange.run(TestContext.get("/").header("Accept-Encoding", "br"), 200,
                Map.of("Content-Type", "text/html"), body, 50_000, brotli);
        assertArrayEquals(body, Decoded.brotli(exchange.body()));
    }

    @Test
    void aResponseCutShortFreesItsEncoder() throws Exception {
        PluginInstance brotli = brotli("{}");
        TestContext context = TestContext.get("/").header("Accept-Encoding", "br");
        brotli.beforeProxy(context);
        context.upstreamResponse(200, Map.of("Content-Type", "text/html"));
        brotli.headerFilter(context);
        assertTrue(brotli.bodyFilter(context, java.nio.ByteBuffer.wrap(Origin.text(5000)), false).hasRemaining());
        brotli.log(context);  // the client went away: no last chunk
        brotli.log(context);  // and a second log finds nothing left to free
        assertEquals(0, brotli.bodyFilter(context, java.nio.ByteBuffer.allocate(0), true).remaining(),
                "nothing is encoding for this request any more");
    }

    @Test
    void withoutItsNativeLibraryTheConfigurationStandsAndResponsesPassAsTheyAre() throws Exception {
        PluginRunner.clearLogged();
        BrotliPlugin unloaded = new BrotliPlugin(
                () -> new NativeLibrary("brotli4j", "java.lang.UnsatisfiedLinkError: no native for linux-riscv64"));
        PluginInstance first = PluginRunner.create(unloaded, "{\"types\": \"*\", \"vary\": true}");
        PluginInstance second = PluginRunner.create(unloaded, "{}");
        for (PluginInstance instance : List.of(first, second)) {
            Exchange exchange = exchange(instance, "br", Map.of("Content-Type", "text/html", "Content-Length", "21"));
            assertNull(exchange.header("Content-Encoding"));
            assertEquals("21", exchange.header("Content-Length"));
            assertArrayEquals(BODY, exchange.body());
        }
        List<String> warnings = PluginRunner.logged().stream().filter(line -> line.contains("[brotli ")).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("WARN ") && warnings.get(0).contains("brotli4j")
                && warnings.get(0).contains("no native for linux-riscv64") && warnings.get(0).contains("responses pass uncompressed"),
                warnings.get(0));
        assertFalse(PluginRunner.violations(unloaded, "{\"comp_level\": 12}").isEmpty(), "the schema still holds");
    }
}
