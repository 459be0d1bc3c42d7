package io.tidegate.plugins.proxycache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy-cache end to end: hits, expiry, purge, one fetch for concurrent misses, disk entries across a restart, bounds. */
class ProxyCacheIT {
    private HttpServer origin;
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @TempDir
    Path cacheDir;

    @BeforeEach
    void startOrigin() throws IOException {
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        origin.setExecutor(Executors.newFixedThreadPool(8));
        origin.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            int n = calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            String query = exchange.getRequestURI().getQuery() == null ? "" : exchange.getRequestURI().getQuery();
            if (query.contains("slow")) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (query.contains("private")) {
                exchange.getResponseHeaders().set("Cache-Control", "private");
            }
            if (query.contains("secondline")) {
                exchange.getResponseHeaders().add("Cache-Control", "max-age=60");
                exchange.getResponseHeaders().add("Cache-Control", "private");
            }
            if (query.contains("vary")) {
                exchange.getResponseHeaders().set("Vary", "Accept-Language");
            }
            if (query.contains("cookie")) {
                exchange.getResponseHeaders().set("Set-Cookie", "s=1");
            }
            int size = query.startsWith("size=") ? Integer.parseInt(query.substring(5)) : 0;
            byte[] body = size > 0 ? new byte[size] : (path + " #" + n).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.getResponseHeaders().set("X-Origin", "yes");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        origin.start();
    }

    @AfterEach
    void stopOrigin() {
        origin.stop(0);
    }

    private String zones() {
        return """
                  proxy_cache:
                    cache_ttl: 60s
                    zones:
                      - { name: disk_cache_one, memory_size: 1m, disk_size: 64k, disk_path: "%s", cache_levels: "1:2" }
                      - { name: memory_cache, memory_size: 1m }
                """.formatted(cacheDir);
    }

    private TestGateway gateway(String plugin) {
        return PluginGateway.startWithSettings(zones(), """
                routes:
                  - id: 1
                    uri: /*
                    plugins: { proxy-cache: %s }
                    upstream: { nodes: { "127.0.0.1:%d": 1 } }
                """.formatted(plugin, origin.getAddress().getPort()));
    }

    private static String status(HttpResponse<?> response) {
        return response.headers().firstValue("Apisix-Cache-Status").orElse("none");
    }

    @Test
    void aMemoryEntryIsHitUntilItExpiresAndPurgeRemovesIt() throws Exception {
        try (TestGateway gw = gateway("{ cache_strategy: memory, cache_zone: memory_cache, cache_ttl: 1 }")) {
            HttpResponse<String> miss = gw.get("/a");
            assertEquals(List.of("MISS", "/a #1"), List.of(status(miss), miss.body()));
            HttpResponse<String> hit = gw.get("/a");
            assertEquals(List.of("HIT", "/a #1", "yes"), List.of(status(hit), hit.body(), hit.headers().firstValue("X-Origin").orElse("")));
            assertEquals("0", hit.headers().firstValue("Age").orElseThrow());
            Thread.sleep(2100);
            HttpResponse<String> expired = gw.get("/a");
            assertEquals(List.of("EXPIRED", "/a #2"), List.of(status(expired), expired.body()));
            assertEquals(200, gw.send(gw.request("/a").method("PURGE", HttpRequest.BodyPublishers.noBody()).build()).statusCode());
            assertEquals(404, gw.send(gw.request("/a").method("PURGE", HttpRequest.BodyPublishers.noBody()).build()).statusCode());
            assertEquals("MISS", status(gw.get("/a")));
            assertEquals(3, calls.get("/a").get());
        }
    }

    @Test
    void concurrentMissesOfOneKeyMakeOneUpstreamRequest() throws Exception {
        try (TestGateway gw = gateway("{ cache_strategy: memory, cache_zone: memory_cache }")) {
            ExecutorService clients = Executors.newFixedThreadPool(16);
            try {
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    answers.add(clients.submit(() -> gw.get("/together?slow")));
                }
                for (Future<HttpResponse<String>> answer : answers) {
                    HttpResponse<String> response = answer.get();
                    assertEquals(200, response.statusCode());
                    assertEquals("/together #1", response.body());
                }
            } finally {
                clients.shutdown();
            }
            assertEquals(1, calls.get("/together").get(), "the others waited for the first fetch and were answered from it");
        }
    }

    @Test
    void diskEntriesSurviveARestartAndStayWithinTheZonesSize() throws Exception {
        try (TestGateway gw = gateway("{}")) {
            assertEquals("MISS", status(gw.get("/kept")));
            assertEquals("HIT", status(gw.get("/kept")));
        }
        try (TestGateway gw = gateway("{}")) {
            HttpResponse<String> after = gw.get("/kept");
            assertEquals(List.of("HIT", "/kept #1"), List.of(status(after), after.body()), "read back from its file");
            for (int i = 0; i < 12; i++) {
                HttpResponse<byte[]> big = gw.send(gw.request("/big" + i + "?size=16384").build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(16384, big.body().length);
            }
            long total;
            try (Stream<Path> files = Files.walk(cacheDir)) {
                total = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            assertTrue(total <= 64 * 1024 + 16384, "disk_size 64k bounds the files: " + total + " bytes");
            try (Stream<Path> temporary = Files.list(cacheDir.resolve("tmp"))) {
                assertEquals(0, temporary.count(), "every file written was moved into place whole");
            }
        }
    }

    @Test
    void privateSetCookieAndTooLargeResponsesAreNotStored() throws Exception {
        try (TestGateway gw = gateway("{ cache_strategy: memory, cache_zone: memory_cache, max_resp_body_size: 1000 }")) {
            for (String path : List.of("/p?private", "/c?cookie", "/l?size=5000")) {
                assertEquals("MISS", status(gw.get(path)), path);
                assertEquals("MISS", status(gw.get(path)), path + " was not stored");
            }
        }
    }

    @Test
    void cacheControlOnASecondLineIsHeardAndKeyPartsCannotBeForged() throws Exception {
        try (TestGateway gw = gateway("{ cache_strategy: memory, cache_zone: memory_cache, cache_key: [\"$arg_x\"] }")) {
            assertEquals("MISS", status(gw.get("/s?secondline")));
            assertEquals("MISS", status(gw.get("/s?secondline")), "Cache-Control: private on its own line still forbids storing");
            assertEquals("MISS", status(gw.get("/k?x=foo&vary")));
            assertEquals("HIT", status(gw.send(gw.request("/k?x=foo").build())));
            // a decoded NUL in the key's value must not reach another request's entry or variant
            HttpResponse<String> forged = gw.get("/k?x=foo%00vary%00");
            assertEquals("MISS", status(forged));
        }
    }

    @Test
    void purgeRemovesVariantsTheIndexForgotAfterARestart() throws Exception {
        try (TestGateway gw = gateway("{}")) {
            assertEquals("MISS", status(gw.send(gw.request("/v?vary").header("Accept-Language", "fr").build())));
            assertEquals("HIT", status(gw.send(gw.request("/v?vary").header("Accept-Language", "fr").build())));
        }
        try (TestGateway gw = gateway("{}")) {
            assertEquals(200, gw.send(gw.request("/v?vary").method("PURGE", HttpRequest.BodyPublishers.noBody()).build()).statusCode(),
                    "the variant stored before the restart is found by PURGE");
            assertEquals(404, gw.send(gw.request("/v?vary").method("PURGE", HttpRequest.BodyPublishers.noBody()).build()).statusCode());
        }
    }

    @Test
    void aBypassedOrUncachedMethodGoesUpstream() throws Exception {
        try (TestGateway gw = gateway("{ cache_strategy: memory, cache_zone: memory_cache, cache_bypass: [\"$arg_bypass\"] }")) {
            assertEquals("MISS", status(gw.get("/b")));
            assertEquals("HIT", status(gw.get("/b")));
            assertEquals("BYPASS", status(gw.get("/b?bypass=1")));
            HttpResponse<String> post = gw.send(gw.request("/b").POST(HttpRequest.BodyPublishers.ofString("x")).build());
            assertEquals("MISS", status(post), "POST is not in cache_method: memory answers MISS");
            assertEquals(3, calls.get("/b").get());
        }
    }
}
