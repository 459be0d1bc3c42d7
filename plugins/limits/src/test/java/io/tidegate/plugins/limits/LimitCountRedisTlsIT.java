package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TempDirs;
import io.tidegate.testing.TestCertificates;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * limit-count over TLS (after APISIX's t/plugin/limit-count-redis-cluster.t TEST 13-16): one real
 * redis-server speaking TLS only, with a certificate from a test authority the JVM does not trust.
 * It is a cluster of one node holding every slot, so it serves policy redis-cluster and, as one
 * server, policy redis too.
 */
class LimitCountRedisTlsIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");
    private static RedisNode redis;

    @BeforeAll
    static void startRedis() {
        Path dir = TempDirs.create("tidegate-redis-tls");
        TestCertificates authority = TestCertificates.newAuthority("redis-test-ca");
        Path[] server = authority.issue("localhost", "localhost").writeTo(dir, "redis");
        Path ca = authority.ca().writeTo(dir, "ca")[0];
        List<Integer> ports = RedisNode.freePorts(2);
        List<String> options = new ArrayList<>(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-port", Integer.toString(ports.get(1)), "--tls-cluster", "yes", "--cluster-announce-ip", "127.0.0.1"));
        options.addAll(RedisNode.NO_PERSISTENCE);
        redis = RedisNode.tls("redis-tls", ports.get(0), dir, options, server[0], server[1], ca);
        redis.start();
        redis.cli("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
        RedisNode.await(() -> redis.cli("CLUSTER", "INFO").contains("cluster_state:ok"), "the TLS cluster did not become ready");
    }

    @AfterAll
    static void stopRedis() {
        redis.kill();
    }

    /**
     * One gateway, a route per case: {@code /cluster} (TLS, certificate not verified),
     * {@code /cluster-verified} and {@code /cluster-verified-lenient} (verified, against the JVM's
     * trust store, which does not know the test authority; the latter with allow_degradation),
     * {@code /server} (policy redis over TLS), {@code /server-plain} and {@code /server-plain-lenient}
     * (plain text to the TLS-only port). {@code /cluster-warm} and {@code /server-warm} (a million a
     * minute) share the clients of {@code /cluster} and {@code /server}: the test waits on them
     * until the clients count, so that a slow first connection on a loaded machine costs none of
     * the counts it checks (a request that times out may still have been counted in Redis).
     */
    private static TestGateway gateway() {
        String route = """
                  - id: %1$s
                    uri: /%1$s
                    plugins:
                      limit-count:
                        count: %6$d
                        time_window: 60
                        key_type: constant
                        key: %1$s-%2$d
                        rejected_code: 429
                        allow_degradation: %3$s
                %4$s    upstream: { nodes: { "%5$s": 1 } }
                """;
        long run = System.nanoTime();
        String up = upstream.address();
        return PluginGateway.start("routes:\n"
                + route.formatted("cluster", run, false, cluster(false), up, 2)
                + route.formatted("cluster-warm", run, false, cluster(false), up, 1_000_000)
                + route.formatted("cluster-verified", run, false, cluster(true), up, 2)
                + route.formatted("cluster-verified-lenient", run, true, cluster(true), up, 2)
                + route.formatted("server", run, false, server(true), up, 2)
                + route.formatted("server-warm", run, false, server(true), up, 1_000_000)
                + route.formatted("server-plain", run, false, server(false), up, 2)
                + route.formatted("server-plain-lenient", run, true, server(false), up, 2));
    }

    private static String cluster(boolean verify) {
        return """
                        policy: redis-cluster
                        redis_cluster_nodes: ["%s"]
                        redis_cluster_name: tls-cluster
                        redis_cluster_ssl: true
                        redis_cluster_ssl_verify: %s
                        redis_timeout: 2000
                """.formatted(redis.address(), verify);
    }

    private static String server(boolean ssl) {
        return """
                        policy: redis
                        redis_host: 127.0.0.1
                        redis_port: %d
                        redis_ssl: %s
                        redis_timeout: 2000
                """.formatted(redis.port(), ssl);
    }

    private static void assertCounts(TestGateway gateway, String path) {
        gateway.awaitStatus(path + "-warm", 200, 15_000);
        assertEquals("1", Bursts.header(gateway.get(path), "X-RateLimit-Remaining"));
        assertEquals("0", Bursts.header(gateway.get(path), "X-RateLimit-Remaining"));
        HttpResponse<String> rejected = gateway.get(path);
        assertEquals(429, rejected.statusCode());
        assertEquals("0", Bursts.header(rejected, "X-RateLimit-Remaining"));
    }

    private static void assertNothingCounted(TestGateway gateway, String path) {
        assertEquals(500, gateway.get(path).statusCode());
        HttpResponse<String> degraded = gateway.get(path + "-lenient");
        assertEquals(200, degraded.statusCode(), "allow_degradation");
        assertNull(Bursts.header(degraded, "X-RateLimit-Remaining"), "uncounted");
    }

    @Test
    void tlsWithAndWithoutVerification() {
        try (TestGateway gateway = gateway()) {
            assertCounts(gateway, "/cluster");
            assertCounts(gateway, "/server");
            // APISIX: "failed to do ssl handshake"; here PKIX path building fails
            assertNothingCounted(gateway, "/cluster-verified");
            assertNothingCounted(gateway, "/server-plain");
        }
    }
}
