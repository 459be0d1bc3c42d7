package io.tidegate.plugins.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An APISIX route carrying {@code prometheus} serves, and is measured by the gateway's exporter. */
class PrometheusIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @Test
    void aRouteNamingThePluginServesAndIsMeasured() {
        try (TestGateway gw = PluginGateway.startWithMetrics("""
                routes:
                  - { id: apisix-style, uri: /m, plugins: { prometheus: { prefer_name: false } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address()))) {
            for (int i = 0; i < 2; i++) {
                assertEquals(200, gw.get("/m").statusCode());
            }
            String metrics = gw.metrics();
            assertTrue(metrics.contains("tidegate_requests_total{route=\"apisix-style\",status=\"200\"} 2.0"), metrics);
        }
    }

    @Test
    void labellingByNameIsRefusedNotIgnored() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PluginGateway.start("""
                routes:
                  - { id: 1, uri: /m, plugins: { prometheus: { prefer_name: true } }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(upstream.address())));
        assertEquals("test config is invalid:\nroutes[0].plugins.prometheus.prefer_name: true is not supported: "
                + "metrics are labelled by route id", e.getMessage());
    }
}
