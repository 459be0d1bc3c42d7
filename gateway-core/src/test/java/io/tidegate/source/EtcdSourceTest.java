package io.tidegate.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.tidegate.testing.EtcdKeySpace;
import io.tidegate.testing.EtcdServer;
import io.tidegate.testing.FreePort;
import io.tidegate.testing.TcpRelay;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Resources from a real etcd: listed at start, watched after, kept while etcd is away. */
class EtcdSourceTest {
    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer();

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");

    @RegisterExtension
    final EtcdKeySpace keys = new EtcdKeySpace(etcd);

    /**
     * Long enough for gRPC's reconnect backoff (1 s, 1.6 s, 2.6 s, ...) and the old relisting
     * backoff to leave a stale channel well past etcd's return: before the fix this test measured
     * 1.6-4.7 s in four runs out of four.
     */
    private static final long OUTAGE_MILLIS = 6000;

    private TestGateway gateway() {
        return TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  status: { address: "127.0.0.1:0" }
                  etcd: { endpoints: ["%s"], prefix: %s, timeout: 2 }
                """.formatted(etcd.endpoint(), keys.prefix()));
    }

    private void putUpstream() {
        keys.put("/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1},\"type\":\"roundrobin\"}");
    }

    private void putRoute(String id, String uri) {
        keys.put("/routes/" + id, "{\"uri\":\"" + uri + "\",\"upstream_id\":\"u\"}");
    }

    @Test
    void startsWithWhatEtcdHoldsAndFollowsItsChanges() throws Exception {
        putUpstream();
        putRoute("1", "/one");
        try (TestGateway gw = gateway()) {
            assertEquals(200, gw.get("/one").statusCode(), "listed before the gateway started serving");
            assertEquals("ready", gw.status("/status/ready").get("status").asText());

            putRoute("2", "/two");
            long added = gw.awaitStatus("/two", 200, 1000);
            keys.delete("/routes/1");
            long removed = gw.awaitStatus("/one", 404, 1000);
            System.out.printf("etcd write to effect: put %d ms, delete %d ms%n", added, removed);
        }
    }

    @Test
    void anInvalidValueFailsClosedAndTheRestApplies() throws Exception {
        putUpstream();
        putRoute("good", "/good");
        keys.put("/routes/bad", "{\"uri\":\"no-slash\",\"upstream_id\":\"u\"}");
        keys.put("/routes/dangling", "{\"uri\":\"/dangling\",\"upstream_id\":\"missing\"}");
        keys.put("/routes/broken", "{not json");
        keys.put("/routes/cidr", "{\"uri\":\"/cidr\",\"upstream_id\":\"u\",\"remote_addrs\":[\"10.0.0.0/99\"]}");
        keys.put("/routes/unknown", "{\"uri\":\"/unknown\",\"upstream_id\":\"u\",\"colour\":\"red\"}");
        try (TestGateway gw = gateway()) {
            assertEquals(200, gw.get("/good").statusCode());
            assertEquals(502, gw.get("/dangling").statusCode(), "a missing upstream is a 502, as in APISIX");
            assertEquals(503, gw.get("/unknown").statusCode(), "what it matches is known: it answers 503 in its place");
            assertEquals(404, gw.get("/cidr").statusCode(), "not even what it matches can be read: left out");
            assertEquals(3, gw.gateway().snapshot().routeCount(),
                    "bad uri, broken JSON and a CIDR only compiling rejects: each left out, having never served");
        }
    }

    /**
     * The listeners bind only once etcd's first listing serves: before, with 2,000 routes, the port
     * answered 404 for about a second while they compiled.
     */
    @Test
    void fromTheMomentThePortAcceptsNoExistingRouteIs404() throws Exception {
        int routes = 2000;
        putUpstream();
        try (io.etcd.jetcd.Client direct = io.etcd.jetcd.Client.builder().endpoints(etcd.endpoint()).build()) {
            List<CompletableFuture<?>> puts = new ArrayList<>();
            for (int i = 0; i < routes; i++) {
                puts.add(direct.getKVClient().put(bytes(keys.prefix() + "/routes/" + i),
                        bytes("{\"uri\":\"/r/" + i + "\",\"upstream_id\":\"u\"}")));
            }
            CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        }
        int port = FreePort.pick();
        CompletableFuture<TestGateway> started = CompletableFuture.supplyAsync(
                () -> TestGateway.start("""
                        tidegate:
                          listeners: [{ address: "127.0.0.1:%d" }]
                          etcd: { endpoints: ["%s"], prefix: %s, timeout: 5 }
                        """.formatted(port, etcd.endpoint(), keys.prefix())));
        HttpClient client = HttpClient.newHttpClient();
        Map<Integer, Integer> statuses = new TreeMap<>();
        int sent = 0;
        int afterStart = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        try {
            while (afterStart < 20 && System.nanoTime() < deadline) {
                boolean startReturned = started.isDone();
                String path = "/r/" + (sent++ * 7 % routes);
                try {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                } catch (IOException refused) {
                    Thread.sleep(1);  // not listening yet
                }
                if (startReturned) {
                    afterStart++;
                }
            }
        } finally {
            started.get(30, TimeUnit.SECONDS).close();
        }
        System.out.printf("%d routes in etcd, answers from the moment the port accepted: %s%n", routes, statuses);
        assertEquals(Set.of(200), statuses.keySet(), "statuses seen: " + statuses);
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    @Test
    void keepsServingWhileEtcdIsAwayAndCatchesUpWhenItReturns() throws Exception {
        putUpstream();
        putRoute("1", "/one");
        try (TestGateway gw = gateway()) {
            etcd.stop();
            try {
                Thread.sleep(500);
                assertEquals(200, gw.get("/one").statusCode(), "the last good configuration serves");
            } finally {
                etcd.start();
            }
            try (EtcdStore writer = etcd.store(keys.prefix())) {
                writer.put(keys.prefix() + "/routes/2", "{\"uri\":\"/two\",\"upstream_id\":\"u\"}");
            }
            long caughtUp = gw.awaitStatus("/two", 200, 15_000);
            System.out.printf("etcd restarted: change served %d ms after it was written%n", caughtUp);
            assertEquals(200, gw.get("/one").statusCode());
        }
    }

    /**
     * After an outage long enough for every retry delay to have grown, writes made as soon as etcd
     * is back (one through this gateway's Admin API, one straight to etcd) serve within about a
     * second: neither the relisting backoff nor a stale gRPC channel may hold them up.
     */
    @Test
    void writesAfterAnEtcdOutageServeWithinASecondOfItsReturn() throws Exception {
        putUpstream();
        putRoute("1", "/one");
        try (TestGateway gw = TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  etcd: { endpoints: ["%s"], prefix: %s, timeout: 2 }
                  admin: { address: "127.0.0.1:0", api_key: test-admin-key }
                """.formatted(etcd.endpoint(), keys.prefix()))) {
            etcd.stop();
            try {
                Thread.sleep(OUTAGE_MILLIS);
                assertEquals(200, gw.get("/one").statusCode(), "the last good configuration serves");
            } finally {
                etcd.start();
            }
            long back = System.nanoTime();
            try (EtcdStore writer = etcd.store(keys.prefix())) {
                writer.put(keys.prefix() + "/routes/direct", "{\"uri\":\"/direct\",\"upstream_id\":\"u\"}");
            }
            long adminAccepted = adminPutUntilAccepted(gw, "/routes/admin", "{\"uri\":\"/admin\",\"upstream_id\":\"u\"}") - back;
            gw.awaitStatus("/direct", 200, 15_000);
            long directServed = System.nanoTime() - back;
            gw.awaitStatus("/admin", 200, 15_000);
            long adminServed = System.nanoTime() - back;
            System.out.printf("after a %d ms etcd outage: Admin API write accepted %d ms after etcd was back, served %d ms;"
                    + " direct etcd write served %d ms%n", OUTAGE_MILLIS, adminAccepted / 1_000_000, adminServed / 1_000_000,
                    directServed / 1_000_000);
            assertTrue(directServed <= 1_500_000_000L, "direct write served after " + directServed / 1_000_000 + " ms");
            assertTrue(adminServed <= 1_500_000_000L, "Admin API write served after " + adminServed / 1_000_000 + " ms");
        }
    }

    /** PUTs through the gateway's Admin API until it answers 201 (503 while etcd is unreachable); returns when. */
    private static long adminPutUntilAccepted(TestGateway gw, String path, String body) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest put = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway().adminAddress().getPort()
                        + "/apisix/admin" + path))
                .header("X-API-KEY", "test-admin-key").PUT(HttpRequest.BodyPublishers.ofString(body)).build();
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            HttpResponse<String> response = client.send(put, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 201) {
                return System.nanoTime();
            }
            assertEquals(503, response.statusCode(), response.body());
            assertTrue(System.nanoTime() < deadline, "the Admin API still answers " + response.body());
            Thread.sleep(10);
        }
    }

    @Test
    void withoutEtcdAtStartTheGatewayIsNotReadyUntilItComes() throws Exception {
        etcd.stop();
        try (TestGateway gw = gateway()) {
            assertEquals("not ready", gw.status("/status/ready").get("status").asText());
            HttpResponse<String> early = gw.get("/one");
            assertEquals(503, early.statusCode(), "never a 404 for a route not loaded yet");
            assertEquals("{\"error_msg\":\"503 Service Unavailable: configuration not loaded yet\"}\n", early.body());
            etcd.start();
            putUpstream();
            putRoute("1", "/one");
            gw.awaitStatus("/one", 200, 15_000);
            assertEquals("ready", gw.status("/status/ready").get("status").asText());
        } finally {
            etcd.start();
        }
    }

    @Test
    void changesCompactedAwayDuringAPartitionAreNotLost() throws Exception {
        putUpstream();
        putRoute("old", "/old");
        java.net.URI endpoint = java.net.URI.create(etcd.endpoint());
        try (TcpRelay partition = TcpRelay.to(endpoint.getHost(), endpoint.getPort());
             TestGateway gw = TestGateway.start("""
                     tidegate:
                       listeners: [{ address: "127.0.0.1:0" }]
                       etcd: { endpoints: ["http://127.0.0.1:%d"], prefix: %s, timeout: 2 }
                     """.formatted(partition.port(), keys.prefix()))) {
            assertEquals(200, gw.get("/old").statusCode());

            partition.cut();
            keys.delete("/routes/old");
            putRoute("new", "/new");
            // The gateway's watch resumes from before these changes; compacted, etcd can no longer
            // replay them, and only a fresh listing finds them.
            long revision = keys.store().list().revision();
            try (io.etcd.jetcd.Client direct = io.etcd.jetcd.Client.builder().endpoints(etcd.endpoint()).build()) {
                direct.getKVClient().compact(revision).get(5, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertEquals(200, gw.get("/old").statusCode(), "partitioned, the last good configuration serves");

            partition.restore();
            long caughtUp = gw.awaitStatus("/new", 200, 20_000);
            assertEquals(404, gw.get("/old").statusCode(), "the compacted-away deletion applies too");
            System.out.printf("etcd compacted during a partition: caught up %d ms after it healed%n", caughtUp);
        }
    }

    @Test
    void aWatchFromACompactedRevisionReportsAnErrorSoTheSourceListsAgain() throws Exception {
        putRoute("1", "/one");
        long listedAt = keys.store().list().revision();
        putRoute("2", "/two");
        putRoute("3", "/three");
        long now = keys.store().list().revision();
        try (io.etcd.jetcd.Client direct = io.etcd.jetcd.Client.builder().endpoints(etcd.endpoint()).build()) {
            direct.getKVClient().compact(now).get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        java.util.concurrent.CompletableFuture<Throwable> failed = new java.util.concurrent.CompletableFuture<>();
        try (io.etcd.jetcd.Watch.Watcher watcher = keys.store().watch(listedAt + 1, changes -> { }, failed::complete)) {
            Throwable error = failed.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(String.valueOf(error.getMessage()).contains("compacted"), String.valueOf(error));
        }
    }
}
