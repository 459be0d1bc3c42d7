package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The entries of redis_cluster_nodes. */
class RedisEndpointTest {
    @Test
    void aClusterNodeIsHostAndPort() {
        assertEquals(new RedisEndpoint.HostAndPort("127.0.0.1", 7000), RedisEndpoint.HostAndPort.parse("127.0.0.1:7000"));
        assertEquals(new RedisEndpoint.HostAndPort("redis-1.internal", 6379), RedisEndpoint.HostAndPort.parse("redis-1.internal:6379"));
        assertEquals(new RedisEndpoint.HostAndPort("::1", 7001), RedisEndpoint.HostAndPort.parse("[::1]:7001"));
        for (String wrong : new String[] {"127.0.0.1", "127.0.0.1:", ":7000", "127.0.0.1:0", "127.0.0.1:70000", "host:port", "::1:7000"}) {
            assertThrows(IllegalArgumentException.class, () -> RedisEndpoint.HostAndPort.parse(wrong), wrong);
        }
    }
}
