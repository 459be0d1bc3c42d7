package io.tidegate.plugins.limits;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;

/**
 * A gateway with two routes counting against one Redis: {@code /strict} refuses a request when
 * Redis fails, {@code /lenient} lets it through ({@code allow_degradation}). The outage tests
 * watch both kinds of answer.
 */
final class StrictAndLenientRoutes {
    private StrictAndLenientRoutes() {}

    static TestGateway start(int redisPort, long redisTimeoutMillis, String upstreamAddress) {
        String limit = """
                      limit-count:
                        count: 100000
                        time_window: 60
                        key_type: constant
                        key: everyone
                        policy: redis
                        redis_host: 127.0.0.1
                        redis_port: %d
                        redis_timeout: %d
                        allow_degradation: %s
                """;
        return PluginGateway.start("""
                routes:
                  - id: strict
                    uri: /strict
                    plugins:
                %s    upstream: { nodes: { "%s": 1 } }
                  - id: lenient
                    uri: /lenient
                    plugins:
                %s    upstream: { nodes: { "%s": 1 } }
                """.formatted(limit.formatted(redisPort, redisTimeoutMillis, false), upstreamAddress,
                limit.formatted(redisPort, redisTimeoutMillis, true), upstreamAddress));
    }
}
