package io.tidegate.plugins.proxyrewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** response-rewrite's filters on held and encoded bodies, and its configuration checks. */
class ResponseRewritePluginTest {
    private static final ResponseRewritePlugin PLUGIN = new ResponseRewritePlugin();

    private static String filtered(PluginInstance rewrite, TestContext context, byte[]... chunks) {
        rewrite.headerFilter(context);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < chunks.length; i++) {
            ByteBuffer result = rewrite.bodyFilter(context, ByteBuffer.wrap(chunks[i]), i == chunks.length - 1);
            byte[] bytes = new byte[result.remaining()];
            result.get(bytes);
            out.append(new String(bytes, StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    @Test
    void aGzippedBodyIsDecodedFilteredAndSentPlain() throws Exception {
        PluginInstance rewrite = PluginRunner.create(PLUGIN, "{\"filters\": [{\"regex\": \"hello\", \"replace\": \"bye\"}]}");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write("hello world\n".getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = gz.toByteArray();
        TestContext context = TestContext.get("/").upstreamResponse(200, Map.of("Content-Encoding", "gzip", "Content-Length", "" + bytes.length));
        byte[] first = java.util.Arrays.copyOf(bytes, 10);
        byte[] rest = java.util.Arrays.copyOfRange(bytes, 10, bytes.length);
        assertEquals("bye world\n", filtered(rewrite, context, first, rest));
        assertNull(context.response().header("Content-Encoding"));
        assertNull(context.response().header("Content-Length"));
    }

    @Test
    void aBodyItCannotReadPassesAsSent() throws Exception {
        PluginInstance rewrite = PluginRunner.create(PLUGIN, "{\"filters\": [{\"regex\": \"a\", \"replace\": \"b\"}]}");
        TestContext context = TestContext.get("/").upstreamResponse(200, Map.of("Content-Encoding", "br"));
        assertEquals("aaa", filtered(rewrite, context, "aaa".getBytes(StandardCharsets.UTF_8)));
        assertEquals("br", context.response().header("Content-Encoding"), "left encoded, and said so");
    }

    @Test
    void filtersApplyInOrderOnceOrGlobally() throws Exception {
        PluginInstance rewrite = PluginRunner.create(PLUGIN, """
                {"filters": [{"regex": "hello", "replace": "HELLO"}, {"regex": "L", "replace": "T"},
                             {"regex": "o", "replace": "0", "scope": "global"}, {"regex": "(\\\\w)x", "replace": "$1$1", "options": "i"}]}""");
        TestContext context = TestContext.get("/").upstreamResponse(200, Map.of());
        assertEquals("HETLO w0rld aa\n", filtered(rewrite, context, "hello world aX\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void capturesKeepTheirLineBreaksAndBinaryBodiesPassUntouched() throws Exception {
        PluginInstance rewrite = PluginRunner.create(PLUGIN, """
                {"filters": [{"regex": "(?s)<b>(.*)</b>", "replace": "<i>$1</i> costs $$5 ${1}"}]}""");
        TestContext context = TestContext.get("/").upstreamResponse(200, Map.of());
        assertEquals("<i>a\nb</i> costs $5 a\nb", filtered(rewrite, context, "<b>a\nb</b>".getBytes(StandardCharsets.UTF_8)));
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 'b', 0, (byte) 0xc3};
        PluginInstance any = PluginRunner.create(PLUGIN, "{\"filters\": [{\"regex\": \"b\", \"replace\": \"x\"}]}");
        TestContext binaryContext = TestContext.get("/").upstreamResponse(200, Map.of());
        any.headerFilter(binaryContext);
        ByteBuffer out = any.bodyFilter(binaryContext, ByteBuffer.wrap(binary), true);
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        org.junit.jupiter.api.Assertions.assertArrayEquals(binary, bytes, "no UTF-8 text: byte for byte, not mangled");
    }

    @Test
    void maxRespBodySizeCutsWhatIsHeld() throws Exception {
        PluginInstance rewrite = PluginRunner.create(PLUGIN, "{\"max_resp_body_size\": 5, \"filters\": [{\"regex\": \"hello\", \"replace\": \"HELLO\"}]}");
        TestContext context = TestContext.get("/").upstreamResponse(200, Map.of());
        assertEquals("HELLO", filtered(rewrite, context, "hello world\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void badConfigurationsAreRefused() {
        assertEquals("body", assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(PLUGIN, "{\"body\": \"!!\", \"body_base64\": true}")).field());
        assertEquals("filters[0].options", assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(PLUGIN, "{\"filters\": [{\"regex\": \"a\", \"replace\": \"b\", \"options\": \"h\"}]}")).field());
        assertEquals("filters[0].regex", assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(PLUGIN, "{\"filters\": [{\"regex\": \"(\", \"replace\": \"b\"}]}")).field());
    }
}
