package io.tidegate.plugins.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** api-breaker end to end against an upstream that fails on demand: opens, answers for it, closes again. */
class ApiBreakerIT {
    private HttpServer upstream;
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicInteger calls = new AtomicInteger();

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            calls.incrementAndGet();
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        upstream.start();
    }

    @AfterEach
    void stopUpstream() {
        upstream.stop(0);
    }

    private TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - id: 1
                    uri: /api/*
                    plugins:
                      api-breaker:
                        break_response_code: 503
                        break_response_body: "breaker open\\n"
                        break_response_headers: [{ key: X-Breaker, value: "open for $uri" }]
                        unhealthy: { http_statuses: [500, 503], failures: 3 }
                        healthy: { http_statuses: [200], successes: 2 }
                    upstream: { nodes: { "127.0.0.1:%d": 1 } }
                """.formatted(upstream.getAddress().getPort()));
    }

    @Test
    void threeFailuresOpenTheBreakerForTwoSecondsThenHealthyAnswersCloseIt() throws Exception {
        try (TestGateway gw = gateway()) {
            status.set(500);
            for (int i = 0; i < 3; i++) {
                assertEquals(500, gw.get("/api/a").statusCode());
            }
            int before = calls.get();
            HttpResponse<String> broken = gw.get("/api/a");
            assertEquals(503, broken.statusCode());
            assertEquals("breaker open\n", broken.body());
            assertEquals("open for /api/a", broken.headers().firstValue("X-Breaker").orElseThrow());
            assertEquals(before, calls.get(), "the upstream is spared while the breaker is open");
            assertEquals(500, gw.get("/api/b").statusCode(), "another path has its own breaker");

            Thread.sleep(3_100);  // 2^1 seconds after the first run of failures, counted in whole seconds as APISIX counts
            status.set(200);
            assertEquals(200, gw.get("/api/a").statusCode(), "half-open: the upstream is asked again");
            assertEquals(200, gw.get("/api/a").statusCode());
            status.set(500);
            assertEquals(500, gw.get("/api/a").statusCode(), "closed after 2 healthy answers: one failure does not open it");
            assertEquals(500, gw.get("/api/a").statusCode());
        }
    }
}
