package io.tidegate.plugins.limits;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;

/**
 * Two gateways counting in one Redis (a cluster, a sentinel-named master), with the same routes,
 * each limit one counter for everyone ({@code key_type: constant}), rejected with 429:
 * {@code /fixed} 10 per minute, {@code /sliding} 10 per hour in a sliding window, {@code /failover}
 * 10 per minute, and {@code /warm} (a million per minute). {@link #strict} refuses a request it
 * cannot count (500); {@link #lenient} lets it through ({@code allow_degradation}), except on
 * {@code /warm}. Both are returned once they count in Redis ({@code /warm} answers 200): the client
 * connects when a limit is made, and on a cold JVM that may take longer than a request's timeout.
 * Give the limits a generous timeout: a request that times out may still have been counted in
 * Redis, which would throw the tests' exact counts off on a loaded machine.
 */
final class TwoGateways implements AutoCloseable {
    final TestGateway strict;
    final TestGateway lenient;
    private final String run = Long.toString(System.nanoTime());

    /** @param redisSettings the limits' Redis fields: YAML lines indented by 8 spaces */
    TwoGateways(String redisSettings, String upstream) {
        strict = start(redisSettings, upstream, false);
        try {
            lenient = start(redisSettings, upstream, true);
        } catch (RuntimeException e) {
            strict.close();
            throw e;
        }
    }

    /** The counter key of a route's limit ({@code fixed}, {@code sliding}, {@code failover}), as part of its Redis key. */
    String key(String route) {
        return route + "-" + run;
    }

    private TestGateway start(String redisSettings, String upstream, boolean degrade) {
        String route = """
                  - id: %1$s
                    uri: /%1$s
                    plugins:
                      limit-count:
                        count: %2$d
                        time_window: %3$d
                        window_type: %4$s
                        key_type: constant
                        key: %5$s
                        rejected_code: 429
                        allow_degradation: %6$s
                %7$s    upstream: { nodes: { "%8$s": 1 } }
                """;
        TestGateway gateway = PluginGateway.start("routes:\n"
                + route.formatted("fixed", 10, 60, "fixed", key("fixed"), degrade, redisSettings, upstream)
                + route.formatted("sliding", 10, 3600, "sliding", key("sliding"), degrade, redisSettings, upstream)
                + route.formatted("failover", 10, 60, "fixed", key("failover"), degrade, redisSettings, upstream)
                + route.formatted("warm", 1_000_000, 60, "fixed", key("warm"), false, redisSettings, upstream));
        try {
            gateway.awaitStatus("/warm", 200, 15_000);
        } catch (AssertionError e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    @Override
    public void close() {
        try {
            strict.close();
        } finally {
            lenient.close();
        }
    }
}
