package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An answer given before the proxy (a 401, a cache hit) passes no body filter: gzip must not label it. */
class GzipEarlyAnswerTest {
    @Test
    void anAnswerGivenBeforeTheProxyIsNotLabelledGzip() throws Exception {
        PluginInstance gzip = PluginRunner.create(new GzipPlugin(), "{\"types\": \"*\"}");
        TestContext early = TestContext.get("/").header("Accept-Encoding", "gzip");
        early.upstreamResponse(401, Map.of("Content-Type", "application/json", "Content-Length", "100"));
        gzip.headerFilter(early);
        assertNull(early.response().header("Content-Encoding"), "its body is sent as it is");

        TestContext proxied = TestContext.get("/").header("Accept-Encoding", "gzip");
        gzip.beforeProxy(proxied);
        proxied.upstreamResponse(200, Map.of("Content-Type", "application/json", "Content-Length", "100"));
        gzip.headerFilter(proxied);
        assertEquals("gzip", proxied.response().header("Content-Encoding"));
    }
}
