package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.RedisServer;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** limit-count with policy: redis, against a real redis-server shared by two gateway instances. */
class LimitCountRedisIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");
    @RegisterExtension
    static final RedisServer redis = new RedisServer();

    private static TestGateway gateway(String group, boolean degrade) {
        return PluginGateway.start("""
                routes:
                  - id: 1
                    uri: "/*"
                    plugins:
                      limit-count:
                        count: 3
                        time_window: 60
                        key_type: constant
                        key: everyone
                        group: %s
                        policy: redis
                        redis_host: 127.0.0.1
                        redis_port: %d
                        redis_timeout: 500
                        allow_degradation: %s
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(group, redis.port(), degrade, upstream.address()));
    }

    @Test
    void twoGatewaysEnforceOneCount() {
        String group = "together-" + System.nanoTime();
        try (TestGateway first = gateway(group, false); TestGateway second = gateway(group, false)) {
            HttpResponse<String> one = first.get("/x");
            assertEquals(200, one.statusCode());
            assertEquals("2", one.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
            assertEquals(200, second.get("/x").statusCode());
            assertEquals("0", first.get("/x").headers().firstValue("X-RateLimit-Remaining").orElseThrow());
            assertEquals(503, second.get("/x").statusCode(), "the fourth request, across both gateways");
            assertEquals(503, first.get("/x").statusCode());
        }
    }

    @Test
    void redisDownFailsClosedOrDegradesAsConfigured() {
        try (TestGateway strict = gateway("strict-" + System.nanoTime(), false);
             TestGateway lenient = gateway("lenient-" + System.nanoTime(), true)) {
            assertEquals(200, strict.get("/x").statusCode());
            redis.stop();
            try {
                HttpResponse<String> failed = strict.get("/x");
                assertEquals(500, failed.statusCode());
                assertEquals("{\"error_msg\":\"failed to limit count\"}\n", failed.body());
                HttpResponse<String> degraded = lenient.get("/x");
                assertEquals(200, degraded.statusCode(), "allow_degradation lets traffic through");
                assertEquals(false, degraded.headers().firstValue("X-RateLimit-Remaining").isPresent(), "uncounted");
            } finally {
                redis.start();
            }
            long deadline = System.currentTimeMillis() + 10_000;
            int status = strict.get("/x").statusCode();
            while (status != 200 && System.currentTimeMillis() < deadline) {
                status = strict.get("/x").statusCode();
            }
            assertEquals(200, status, "counting resumes once Redis is back");
        }
    }
}
