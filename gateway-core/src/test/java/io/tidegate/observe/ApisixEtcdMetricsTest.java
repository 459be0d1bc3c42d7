package io.tidegate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.Await;
import io.tidegate.testing.EtcdKeySpace;
import io.tidegate.testing.EtcdServer;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With etcd, APISIX's names say whether etcd is followed and how far each folder has changed. */
class ApisixEtcdMetricsTest {
    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer();

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");

    @RegisterExtension
    final EtcdKeySpace keys = new EtcdKeySpace(etcd);

    private static double sample(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static double index(String text, String key) {
        return sample(text, "apisix_etcd_modify_indexes{key=\"" + key + "\"}");
    }

    @Test
    void reachableAndModifyIndexesFollowTheWatch() throws Exception {
        keys.put("/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1},\"type\":\"roundrobin\"}");
        keys.put("/routes/1", "{\"uri\":\"/one\",\"upstream_id\":\"u\"}");
        try (TestGateway gw = TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  metrics: { address: "127.0.0.1:0", names: apisix }
                  etcd: { endpoints: ["%s"], prefix: %s, timeout: 2 }
                """.formatted(etcd.endpoint(), keys.prefix()))) {
            String text = gw.metrics();
            assertEquals(1.0, sample(text, "apisix_etcd_reachable"), text);
            double routes = index(text, "routes");
            double upstreams = index(text, "upstreams");
            assertTrue(routes > upstreams && upstreams > 0, text);
            assertEquals(0.0, index(text, "ssls"), "no keys, 0 as in APISIX");
            assertEquals(routes, index(text, "max_modify_index"));
            assertTrue(index(text, "x_etcd_index") >= routes, text);

            keys.put("/routes/2", "{\"uri\":\"/two\",\"upstream_id\":\"u\"}");
            assertTrue(Await.until(Duration.ofSeconds(5), () -> index(gw.metrics(), "routes") > routes), "a new route moves the index");
        }
    }
}
