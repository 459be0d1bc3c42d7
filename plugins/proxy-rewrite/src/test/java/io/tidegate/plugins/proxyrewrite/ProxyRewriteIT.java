package io.tidegate.plugins.proxyrewrite;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** proxy-rewrite end to end: what the upstream really receives. */
class ProxyRewriteIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @Test
    void rewritesWhatTheUpstreamReceives() {
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: 1
                    uri: /old/*
                    plugins:
                      proxy-rewrite:
                        regex_uri: ["^/old/(.*)", "/new/$1"]
                        method: PUT
                        host: backend.internal
                        headers:
                          add: { X-Added: "$1" }
                          set: { X-Env: prod }
                          remove: [X-Drop]
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(upstream.address()))) {
            JsonNode seen = json(gw.send(gw.request("/old/a%20b/c?keep=1").header("X-Drop", "x").GET().build()));
            assertEquals("/new/a%20b/c", seen.get("raw_path").asText(), "decoded captures are re-encoded");
            assertEquals("keep=1", seen.get("query").asText());
            assertEquals("PUT", seen.get("method").asText());
            JsonNode headers = seen.get("headers");
            assertEquals("backend.internal", headers.get("host").asText());
            assertEquals("a b/c", headers.get("x-added").asText());
            assertEquals("prod", headers.get("x-env").asText());
            assertFalse(headers.has("x-drop"));
        }
    }
}
