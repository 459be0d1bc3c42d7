package io.tidegate.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.admin.AdminApi;
import io.tidegate.testing.EtcdCluster;
import io.tidegate.testing.EtcdKeySpace;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway on a real three-member etcd cluster while members fail: a crashed leader, a member
 * stopped, a quorum lost and regained. Requests sent all along are answered from the last good
 * configuration; a change made once the cluster can take it again serves within a second; the
 * Admin API answers 503 within its bound while there is no quorum, and loses nothing it
 * acknowledged.
 */
class EtcdClusterTest {
    @RegisterExtension
    static final EtcdCluster cluster = new EtcdCluster(3);

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");

    @RegisterExtension
    final EtcdKeySpace keys = new EtcdKeySpace(cluster);

    private static final String API_KEY = "test-admin-key";
    /** The bound from the cluster being able to take a change to that change serving. */
    private static final long CONVERGE_MILLIS = 1_000;

    private final HttpClient admin = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Every member runs again after each test, and the cluster has a leader, for the next one. */
    @AfterEach
    void wholeAgain() {
        cluster.start();
    }

    /** A gateway on every member, with the Admin API; etcd's {@code timeout} left at its default (30 s). */
    private TestGateway gateway() {
        return gateway(cluster.endpoints());
    }

    private TestGateway gateway(List<String> endpoints) {
        return TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  etcd: { endpoints: %s, prefix: %s }
                  admin: { address: "127.0.0.1:0", api_key: %s }
                """.formatted(endpoints.stream().map(e -> "\"" + e + "\"").toList(), keys.prefix(), API_KEY));
    }

    private void putUpstreamAndRoute() {
        keys.put("/upstreams/u", "{\"nodes\":{\"" + upstream.address() + "\":1},\"type\":\"roundrobin\"}");
        keys.put("/routes/1", route("/one"));
    }

    private static String route(String uri) {
        return "{\"uri\":\"" + uri + "\",\"upstream_id\":\"u\"}";
    }

    /**
     * The worst case of a crashed leader: the member the gateway watches leads (the leadership is
     * handed to it first), and is killed with SIGKILL.
     */
    @Test
    void aKilledLeaderCostsNoRequestAndAChangeAfterTheElectionServesWithinASecond() throws Exception {
        putUpstreamAndRoute();
        try (TestGateway gw = gateway(); Traffic traffic = Traffic.to(gw, "/one")) {
            traffic.awaitAnswers(20);
            int leader = cluster.awaitOneWatch();
            cluster.moveLeader(leader);
            long killed = System.nanoTime();
            cluster.kill(leader);
            int next = cluster.awaitLeader();
            long elected = System.nanoTime();

            HttpResponse<String> put = admin(gw, "PUT", "/routes/2", route("/two"));
            long written = System.nanoTime();
            assertEquals(201, put.statusCode(), put.body());
            long served = gw.awaitStatus("/two", 200, 10_000);
            traffic.awaitAnswers(traffic.answers() + 20);
            traffic.close();

            System.out.printf("leader m%d (watched by the gateway) killed: m%d elected %d ms later; Admin API write took %d ms,"
                    + " served %d ms after it was acknowledged; %s%n", leader, next, ms(elected - killed), ms(written - elected),
                    served, traffic);
            traffic.assertAllServed();
            assertTrue(served <= CONVERGE_MILLIS, "served " + served + " ms after the write");
        }
    }

    @Test
    void withOneMemberStoppedReadsWritesAndTheAdminApiCarryOn() throws Exception {
        putUpstreamAndRoute();
        try (TestGateway gw = gateway(); Traffic traffic = Traffic.to(gw, "/one")) {
            traffic.awaitAnswers(20);
            int stopped = cluster.awaitOneWatch();  // the member the gateway watches, leader or not
            cluster.stop(stopped);

            HttpResponse<String> put = admin(gw, "PUT", "/routes/2", route("/two"));
            assertEquals(201, put.statusCode(), put.body());
            long adminServed = gw.awaitStatus("/two", 200, 10_000);
            keys.put("/routes/3", route("/three"));
            long directServed = gw.awaitStatus("/three", 200, 10_000);
            assertEquals(200, admin(gw, "GET", "/routes/2", null).statusCode());
            HttpResponse<String> patch = admin(gw, "PATCH", "/routes/2", "{\"uri\":\"/two-b\"}");
            assertEquals(200, patch.statusCode(), patch.body());
            gw.awaitStatus("/two-b", 200, 10_000);
            HttpResponse<String> delete = admin(gw, "DELETE", "/routes/3", null);
            assertEquals(200, delete.statusCode(), delete.body());
            gw.awaitStatus("/three", 404, 10_000);

            // a gateway started now, its first endpoint down, lists from the others
            List<String> downFirst = new ArrayList<>(cluster.endpoints());
            downFirst.add(0, downFirst.remove(stopped));
            try (TestGateway late = gateway(downFirst)) {
                assertEquals(200, late.get("/two-b").statusCode());
                assertEquals(404, late.get("/three").statusCode());
            }
            traffic.close();
            System.out.printf("member m%d stopped: Admin API write served after %d ms, direct write %d ms; %s%n",
                    stopped, adminServed, directServed, traffic);
            traffic.assertAllServed();
            assertTrue(adminServed <= CONVERGE_MILLIS && directServed <= CONVERGE_MILLIS, adminServed + " / " + directServed + " ms");
        }
    }

    @Test
    void withoutAQuorumTheLastGoodVersionServesTheAdminApiSays503AndNothingAcknowledgedIsLost() throws Exception {
        putUpstreamAndRoute();
        try (TestGateway gw = gateway(); Traffic traffic = Traffic.to(gw, "/one");
             Writer writer = Writer.to(this, gw)) {
            traffic.awaitAnswers(20);
            writer.awaitAcknowledged(3);

            // the member the gateway watches is left alone: its watch must not go silent
            int alone = cluster.awaitOneWatch();
            long lost = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                if (i != alone) {
                    cluster.stop(i);
                }
            }
            assertTrue(io.tidegate.testing.Await.until(Duration.ofSeconds(10), () -> cluster.leader() < 0),
                    "the member left alone still names a leader");
            // it ends the watch (the gateway asks for one that requires a leader), within 3 election timeouts
            assertTrue(io.tidegate.testing.Await.until(Duration.ofSeconds(10), () -> cluster.watchers(alone) == 0),
                    "the member left alone still serves the gateway's watch");
            long watchEnded = System.nanoTime();

            // Admin API writes: 503 with a JSON error_msg saying why, within the bound, not etcd's 30 s
            // timeout; once the gateway has seen no leader for a while (longer than an election), at once
            Timed put = Timed.of(() -> admin(gw, "PUT", "/routes/during", route("/during")));
            assertEquals(503, put.response().statusCode(), put.response().body());
            String error = TestGateway.json(put.response()).path("error_msg").asText();
            assertTrue(error.startsWith("etcd is unavailable: no quorum"), error);
            assertTrue(put.millis() <= AdminApi.CALL_BOUND_MILLIS + 2_000, "503 after " + put.millis() + " ms");
            Timed delete = Timed.of(() -> admin(gw, "DELETE", "/routes/1", null));
            assertEquals(503, delete.response().statusCode(), delete.response().body());
            assertTrue(delete.millis() <= AdminApi.CALL_BOUND_MILLIS + 2_000, "503 after " + delete.millis() + " ms");

            // a read says what it can: 503, why, and the value as the member left holds it
            Timed get = Timed.of(() -> admin(gw, "GET", "/routes/1", null));
            assertEquals(503, get.response().statusCode(), get.response().body());
            JsonNode read = TestGateway.json(get.response());
            assertTrue(read.path("error_msg").asText().startsWith("etcd is unavailable: no quorum"), get.response().body());
            assertEquals("/one", read.path("value").path("uri").asText(), get.response().body());
            assertTrue(get.millis() <= AdminApi.CALL_BOUND_MILLIS + 3_000, "503 after " + get.millis() + " ms");
            Timed list = Timed.of(() -> admin(gw, "GET", "/routes", null));
            assertEquals(503, list.response().statusCode(), list.response().body());
            assertTrue(TestGateway.json(list.response()).path("total").asInt() >= 1, list.response().body());
            Timed late = Timed.of(() -> admin(gw, "PUT", "/routes/during", route("/during")));
            assertEquals(503, late.response().statusCode(), late.response().body());
            String lateError = TestGateway.json(late.response()).path("error_msg").asText();
            assertTrue(lateError.startsWith("etcd is unavailable: no quorum"), lateError);
            assertTrue(late.millis() <= 500, "a write after seconds without a leader: 503 after " + late.millis() + " ms");

            assertEquals(200, gw.get("/one").statusCode());

            for (int i = 0; i < 3; i++) {
                if (i != alone) {
                    cluster.start(i);
                }
            }
            cluster.awaitLeader();
            long quorum = System.nanoTime();
            put(keys, "/routes/after", route("/after"));
            long written = System.nanoTime();
            long served = gw.awaitStatus("/after", 200, 10_000);
            long fromQuorum = ms(System.nanoTime() - quorum);

            int before = writer.acknowledged().size();
            writer.awaitAcknowledged(before + 3);
            writer.close();
            traffic.close();

            List<String> appliedAnyway = writer.refused().stream()
                    .filter(id -> admin(gw, "GET", "/routes/" + id, null).statusCode() == 200).toList();
            System.out.printf("quorum lost for %d ms (the watch on the member left alone ended after %d ms): Admin API PUT"
                    + " answered 503 in %d ms (%s), DELETE %d ms, GET %d ms, list %d ms, PUT later %d ms (%s); quorum back:"
                    + " a write made %d ms later served %d ms after it was acknowledged (%d ms after the quorum); Admin API"
                    + " writer: %s, of the 503s %s applied anyway; %s%n", ms(quorum - lost), ms(watchEnded - lost),
                    put.millis(), error, delete.millis(), get.millis(), list.millis(), late.millis(), lateError,
                    ms(written - quorum), served, fromQuorum, writer, appliedAnyway, traffic);
            traffic.assertAllServed();
            assertTrue(served <= CONVERGE_MILLIS, "served " + served + " ms after the write");
            assertTrue(writer.slowest503Nanos <= (AdminApi.CALL_BOUND_MILLIS + 2_000) * 1_000_000, writer.toString());

            // nothing acknowledged is lost: every 2xx write is in etcd (through the Admin API) and serves
            for (String id : writer.acknowledged()) {
                HttpResponse<String> stored = admin(gw, "GET", "/routes/" + id, null);
                assertEquals(200, stored.statusCode(), id + ": " + stored.body());
                assertEquals("/" + id, TestGateway.json(stored).path("value").path("uri").asText());
                assertEquals(200, gw.get("/" + id).statusCode(), id + " does not serve");
            }
            // A 503 is no promise that nothing applied: a write its leader had appended to its log
            // before it stopped is committed by the next leader. What was asked while the member
            // left alone had no leader never reached a log, and never applied:
            assertEquals(404, admin(gw, "GET", "/routes/during", null).statusCode());
            assertEquals(200, admin(gw, "GET", "/routes/1", null).statusCode(), "the refused DELETE did not apply");
        }
    }

    /** Writes through a store until etcd takes it (an election may still be settling). */
    private static void put(EtcdKeySpace keys, String key, String value) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                keys.put(key, value);
                return;
            } catch (EtcdStore.EtcdException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    private HttpResponse<String> admin(TestGateway gw, String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway().adminAddress().getPort()
                        + "/apisix/admin" + path))
                .header("X-API-KEY", API_KEY)
                .timeout(Duration.ofSeconds(40))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            return admin.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    /** A request and how long its answer took. */
    private record Timed(HttpResponse<String> response, long millis) {
        static Timed of(java.util.function.Supplier<HttpResponse<String>> request) {
            long start = System.nanoTime();
            HttpResponse<String> response = request.get();
            return new Timed(response, (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** Requests to the gateway, one after another on a thread of their own, counted by status. */
    private static final class Traffic implements AutoCloseable {
        private final TestGateway gateway;
        private final List<String> paths;
        private final Map<String, Integer> answers = new TreeMap<>();
        private final Thread thread;
        private volatile boolean stopped;
        private volatile int count;
        private volatile long slowestNanos;

        private Traffic(TestGateway gateway, List<String> paths) {
            this.gateway = gateway;
            this.paths = paths;
            this.thread = new Thread(this::run, "test-traffic");
        }

        static Traffic to(TestGateway gateway, String... paths) {
            Traffic traffic = new Traffic(gateway, List.of(paths));
            traffic.thread.start();
            return traffic;
        }

        private void run() {
            long deadline = System.nanoTime() + 120_000_000_000L;  // bounded, whatever the test does
            for (int i = 0; !stopped && System.nanoTime() < deadline; i++) {
                String path = paths.get(i % paths.size());
                String outcome;
                long start = System.nanoTime();
                try {
                    outcome = String.valueOf(gateway.get(path).statusCode());
                } catch (RuntimeException e) {
                    outcome = e.getClass().getSimpleName();
                }
                slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
                synchronized (answers) {
                    answers.merge(outcome, 1, Integer::sum);
                }
                count++;
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        int answers() {
            return count;
        }

        void awaitAnswers(int atLeast) {
            assertTrue(io.tidegate.testing.Await.until(Duration.ofSeconds(20), () -> count >= atLeast),
                    "the gateway answered " + count + " requests");
        }

        void assertAllServed() {
            synchronized (answers) {
                assertEquals(List.of("200"), List.copyOf(answers.keySet()), "answers: " + answers);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            thread.join(10_000);
        }

        @Override
        public String toString() {
            synchronized (answers) {
                return "requests throughout: " + answers + ", slowest " + slowestNanos / 1_000_000 + " ms";
            }
        }
    }

    /** Admin API PUTs of new routes, one after another on a thread of their own, remembering which were acknowledged. */
    private static final class Writer implements AutoCloseable {
        private final EtcdClusterTest test;
        private final TestGateway gateway;
        private final List<String> acknowledged = new CopyOnWriteArrayList<>();
        private final List<String> refused = new CopyOnWriteArrayList<>();
        private final Map<Integer, Integer> statuses = new TreeMap<>();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean stopped;
        private volatile long slowest503Nanos;

        private Writer(EtcdClusterTest test, TestGateway gateway) {
            this.test = test;
            this.gateway = gateway;
            this.thread = new Thread(this::run, "test-admin-writer");
        }

        static Writer to(EtcdClusterTest test, TestGateway gateway) {
            Writer writer = new Writer(test, gateway);
            writer.thread.start();
            return writer;
        }

        private void run() {
            long deadline = System.nanoTime() + 120_000_000_000L;
            for (int i = 0; !stopped && System.nanoTime() < deadline; i++) {
                String id = "w" + i;
                long start = System.nanoTime();
                try {
                    int status = test.admin(gateway, "PUT", "/routes/" + id, route("/" + id)).statusCode();
                    synchronized (statuses) {
                        statuses.merge(status, 1, Integer::sum);
                    }
                    if (status / 100 == 2) {
                        acknowledged.add(id);
                    } else if (status == 503) {
                        refused.add(id);
                        slowest503Nanos = Math.max(slowest503Nanos, System.nanoTime() - start);
                    } else {
                        failures.add(id + ": " + status);
                    }
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failures.add(id + ": " + e);
                }
            }
        }

        List<String> acknowledged() {
            return acknowledged;
        }

        List<String> refused() {
            return refused;
        }

        void awaitAcknowledged(int atLeast) {
            assertTrue(io.tidegate.testing.Await.until(Duration.ofSeconds(20), () -> acknowledged.size() >= atLeast),
                    "Admin API writes acknowledged: " + acknowledged.size() + ", " + this);
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            thread.join(40_000);
            assertTrue(failures.isEmpty(), "Admin API writes answered neither 2xx nor 503: " + failures);
        }

        @Override
        public String toString() {
            synchronized (statuses) {
                return statuses + " (slowest 503 " + slowest503Nanos / 1_000_000 + " ms)";
            }
        }
    }
}
