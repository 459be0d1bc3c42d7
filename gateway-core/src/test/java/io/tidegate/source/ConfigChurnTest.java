package io.tidegate.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.EtcdServer;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Configuration changes under load lose no request. Each change adds a route in etcd and waits
 * until it serves, while client threads keep requesting a route that never changes. The number of
 * changes is {@code -Dchurn.changes} (default 200; the figure is 1000).
 */
class ConfigChurnTest {
    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer();
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");

    @Test
    void changesUnderLoadFailNoRequest() throws Exception {
        int changes = Integer.getInteger("churn.changes", 200);
        String prefix = "/churn";
        try (EtcdStore store = etcd.store(prefix)) {
            store.put(prefix + "/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1}}");
            store.put(prefix + "/routes/steady", "{\"uri\":\"/steady\",\"upstream_id\":\"u\"}");
            try (TestGateway gw = TestGateway.start("""
                    tidegate:
                      listeners: [{ address: "127.0.0.1:0" }]
                      etcd: { endpoints: ["%s"], prefix: %s }
                    """.formatted(etcd.endpoint(), prefix))) {
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger ok = new AtomicInteger();
                AtomicInteger failed = new AtomicInteger();
                List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
                List<Thread> clients = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    Thread client = new Thread(() -> {
                        while (running.get()) {
                            long start = System.nanoTime();
                            HttpResponse<String> response = gw.get("/steady");
                            latencies.add(System.nanoTime() - start);
                            (response.statusCode() == 200 ? ok : failed).incrementAndGet();
                        }
                    });
                    client.start();
                    clients.add(client);
                }
                List<Long> toEffect = new ArrayList<>();
                for (int i = 0; i < changes; i++) {
                    long written = System.nanoTime();
                    store.put(prefix + "/routes/r" + i, "{\"uri\":\"/r" + i + "\",\"upstream_id\":\"u\"}");
                    while (gw.get("/r" + i).statusCode() != 200) {
                        assertTrue(System.nanoTime() - written < 5_000_000_000L, "change " + i + " never served");
                    }
                    toEffect.add(System.nanoTime() - written);
                }
                running.set(false);
                for (Thread client : clients) {
                    client.join();
                }
                Collections.sort(toEffect);
                List<Long> sorted;
                synchronized (latencies) {
                    sorted = new ArrayList<>(latencies);
                }
                Collections.sort(sorted);
                System.out.printf("%d etcd changes under load: %d requests ok, %d failed, client p99 %.1f ms; "
                                + "write to effect median %.1f ms, p99 %.1f ms%n", changes, ok.get(), failed.get(),
                        percentile(sorted, 0.99), percentile(toEffect, 0.5), percentile(toEffect, 0.99));
                assertEquals(0, failed.get(), "requests failed during the changes");
                assertTrue(ok.get() > changes, "the load ran: " + ok.get());
                assertEquals(changes + 1, gw.gateway().snapshot().routeCount());
            }
        }
    }

    private static double percentile(List<Long> sortedNanos, double p) {
        return sortedNanos.get(Math.min(sortedNanos.size() - 1, (int) Math.ceil(p * sortedNanos.size()) - 1)) / 1e6;
    }
}
