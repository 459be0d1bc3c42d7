package io.tidegate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's access log: one JSON line per request, written off the request path, surviving rotation. */
class AccessLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @TempDir
    Path dir;

    private TestGateway gateway(Path log) {
        return TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  access_log: { path: %s }
                routes:
                  - { id: api, uri: "/api/*", upstream: { nodes: { "%s": 1 } } }
                """.formatted(log, upstream.address()));
    }

    private static List<JsonNode> lines(Path file, int atLeast) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (true) {
            List<JsonNode> out = new ArrayList<>();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    out.add(JSON.readTree(line));
                }
            }
            if (out.size() >= atLeast || System.currentTimeMillis() > deadline) {
                return out;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void oneLinePerRequestWithRouteUpstreamStatusAndLatencies() throws Exception {
        Path log = dir.resolve("logs/access.log");
        try (TestGateway gw = gateway(log)) {
            assertEquals(200, gw.get("/api/items?page=2").statusCode());
            assertEquals(404, gw.get("/missing").statusCode());
            List<JsonNode> entries = lines(log, 2);
            assertEquals(2, entries.size());
            JsonNode ok = entries.get(0);
            assertEquals("GET", ok.get("method").asText());
            assertEquals("/api/items?page=2", ok.get("uri").asText());
            assertEquals(200, ok.get("status").asInt());
            assertEquals("api", ok.get("route_id").asText());
            assertEquals(upstream.address(), ok.get("upstream").asText());
            assertEquals("127.0.0.1", ok.get("client_ip").asText());
            assertTrue(ok.get("bytes_sent").asLong() > 0);
            assertTrue(ok.get("latency_ms").asDouble() >= ok.get("upstream_ms").asDouble(), ok.toString());
            JsonNode notFound = entries.get(1);
            assertEquals(404, notFound.get("status").asInt());
            assertTrue(notFound.get("route_id").isNull());
            assertFalse(notFound.has("upstream_ms"), "no upstream was involved");
        }
    }

    @Test
    void aFileMovedAwayIsReopenedAndNothingIsLost() throws Exception {
        Path log = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        try (TestGateway gw = gateway(log)) {
            for (int i = 0; i < 5; i++) {
                gw.get("/api/before");
            }
            assertEquals(5, lines(log, 5).size());
            Files.move(log, rotated); // what logrotate does
            for (int i = 0; i < 30; i++) {
                gw.get("/api/after");
                Thread.sleep(50); // spread over the rotation check
            }
            List<JsonNode> old = lines(rotated, 5);
            List<JsonNode> fresh = lines(log, 1);
            assertEquals(35, old.size() + fresh.size(), "every request is in one file or the other");
            assertTrue(fresh.size() > 0, "the path was reopened");
            assertTrue(old.stream().limit(5).allMatch(e -> e.get("uri").asText().equals("/api/before")));
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlocking() throws IOException {
        Path blocked = dir.resolve("not-a-dir");
        Files.writeString(blocked, "a file where the log's folder should be");
        AccessLog log = new AccessLog(blocked.resolve("access.log"), 4);
        try {
            for (int i = 0; i < 1000; i++) {
                log.record(new AccessLog.Entry(0, "127.0.0.1", "GET", "/", 200, 0, "r", null, 1, -1));
            }
            assertTrue(log.dropped() > 900, "dropped " + log.dropped());
        } finally {
            log.close();
        }
    }
}
