package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tidegate.testing.RedisServer;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * limit-count with policy: redis while its real redis-server is stopped: many requests, a bounded
 * number of lines in the gateway's log (the gateway runs in this JVM, so its logback is ours to
 * listen to).
 */
class LimitCountRedisOutageIT {
    private static final int REQUESTS_PER_ROUTE = 300;

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");
    @RegisterExtension
    static final RedisServer redis = new RedisServer();

    /** Everything limit-count logs (through its plugin log), whichever class writes it. */
    private final Logger limits = (Logger) LoggerFactory.getLogger("tidegate.plugin.limit-count");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture() {
        lines.start();
        limits.addAppender(lines);
        limits.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        limits.detachAppender(lines);
        limits.setLevel(null);
    }

    private static TestGateway gateway() {
        return StrictAndLenientRoutes.start(redis.port(), 500, upstream.address());
    }

    private static boolean counted(HttpResponse<String> response) {
        return response.headers().firstValue("X-RateLimit-Remaining").isPresent();
    }

    private List<String> logged() {
        return lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    @Test
    void aRedisOutageIsAFewLinesNotOnePerRequest() {
        try (TestGateway gateway = gateway()) {
            assertTrue(counted(gateway.get("/strict")));
            assertTrue(counted(gateway.get("/lenient")));
            redis.stop();
            long refused = 0;
            long letThrough = 0;
            long outageStarted = System.nanoTime();
            try {
                for (int i = 0; i < REQUESTS_PER_ROUTE; i++) {
                    HttpResponse<String> strict = gateway.get("/strict");
                    assertEquals(500, strict.statusCode());
                    assertEquals("{\"error_msg\":\"failed to limit count\"}\n", strict.body());
                    refused++;
                    HttpResponse<String> lenient = gateway.get("/lenient");
                    assertEquals(200, lenient.statusCode());
                    assertTrue(!counted(lenient), "let through uncounted");
                    letThrough++;
                }
                long seconds = (System.nanoTime() - outageStarted) / 1_000_000_000L;
                List<String> duringOutage = logged();
                assertTrue(duringOutage.size() >= 1 && duringOutage.size() <= 1 + seconds / 10,
                        "the first failure and at most one summary per 10 s, " + seconds + " s: " + duringOutage);
                assertTrue(duringOutage.get(0).startsWith("WARN [limit-count route:strict] Redis 127.0.0.1:" + redis.port() + " failed ("),
                        duringOutage.get(0));
                assertTrue(duringOutage.get(0).contains("the request was refused with 500"), duringOutage.get(0));
            } finally {
                redis.start();
            }
            long deadline = System.nanoTime() + 15_000_000_000L;
            HttpResponse<String> after = gateway.get("/strict");
            while (!counted(after) && System.nanoTime() < deadline) {
                refused++;
                after = gateway.get("/strict");
            }
            assertTrue(counted(after), "counting resumes once Redis is back");

            List<String> all = logged();
            assertEquals("INFO [limit-count route:strict] Redis 127.0.0.1:" + redis.port() + " answers again; while it failed: " + refused
                    + " requests refused with 500, " + letThrough + " requests let through uncounted (allow_degradation)",
                    all.get(all.size() - 1), all.toString());
            assertTrue(all.size() <= 2 + (System.nanoTime() - outageStarted) / 10_000_000_000L, all.toString());
        }
    }
}
