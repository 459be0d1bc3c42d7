package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.RedisServer;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * limit-count against a Redis that accepts connections but never answers. A request must wait
 * about one {@code redis_timeout} for it, then fail (500) or pass (allow_degradation), also when
 * several clients press on one key at once, as on any busy route.
 */
class LimitCountHungRedisIT {
    private static final Duration REDIS_TIMEOUT = Duration.ofMillis(1000);
    /** What a slow CI box may add on top of the timeout (scheduling, GC): half of it, well below a second timeout. */
    private static final Duration MARGIN = Duration.ofMillis(500);
    private static final int CLIENTS = 4;
    private static final int REQUESTS_EACH = 3;

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");
    @RegisterExtension
    static final RedisServer redis = new RedisServer();

    private static TestGateway gateway(int redisPort) {
        return StrictAndLenientRoutes.start(redisPort, REDIS_TIMEOUT.toMillis(), upstream.address());
    }

    private record Timed(HttpResponse<String> response, Duration took) {}

    private static Timed timed(TestGateway gateway, String path) {
        long start = System.nanoTime();
        HttpResponse<String> response = gateway.get(path);
        return new Timed(response, Duration.ofNanos(System.nanoTime() - start));
    }

    /** CLIENTS clients at once, each sending REQUESTS_EACH requests one after the other. */
    private static List<Timed> concurrently(TestGateway gateway, String path) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<List<Timed>>> each = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                each.add(clients.submit(() -> {
                    List<Timed> mine = new ArrayList<>();
                    for (int i = 0; i < REQUESTS_EACH; i++) {
                        mine.add(timed(gateway, path));
                    }
                    return mine;
                }));
            }
            List<Timed> all = new ArrayList<>();
            for (Future<List<Timed>> client : each) {
                all.addAll(client.get());
            }
            return all;
        } finally {
            clients.shutdownNow();
        }
    }

    /** The median of a few requests, as a baseline to tell the time spent waiting on a hung Redis. */
    private static Duration medianLatency(TestGateway gateway, String path, int expectedStatus) {
        List<Duration> took = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Timed timed = timed(gateway, path);
            assertEquals(expectedStatus, timed.response().statusCode());
            took.add(timed.took());
        }
        took.sort(Comparator.naturalOrder());
        return took.get(took.size() / 2);
    }

    private static boolean counted(HttpResponse<String> response) {
        return response.headers().firstValue("X-RateLimit-Remaining").isPresent();
    }

    /** The time each request spent waiting on Redis, sorted: its latency beyond the baseline. */
    private static List<Long> addedMillis(List<Timed> requests, Duration baseline) {
        List<Long> added = requests.stream().map(t -> t.took().minus(baseline).toMillis()).sorted().toList();
        System.err.println("added delay per request (ms) with redis_timeout " + REDIS_TIMEOUT.toMillis() + ": " + added);
        return added;
    }

    /** No request waited much more than one redis_timeout: at most 1.5 times it. */
    private static void assertNoneWaitedMuchMoreThanOneTimeout(List<Long> addedMillis) {
        assertTrue(addedMillis.get(addedMillis.size() - 1) < REDIS_TIMEOUT.plus(MARGIN).toMillis(),
                "added delay per request (ms) with redis_timeout " + REDIS_TIMEOUT.toMillis() + ": " + addedMillis);
    }

    /** The request waited for the hung Redis rather than failing at once (the test would prove nothing). */
    private static void assertWaitedForTheTimeout(long addedMillis) {
        assertTrue(addedMillis >= REDIS_TIMEOUT.toMillis() * 8 / 10, addedMillis + " ms");
    }

    private static void assertRefused(List<Timed> requests) {
        for (Timed timed : requests) {
            assertEquals(500, timed.response().statusCode());
            assertEquals("{\"error_msg\":\"failed to limit count\"}\n", timed.response().body());
        }
    }

    @Test
    void aSuspendedRedisCostsEachRequestAboutOneTimeout() throws Exception {
        try (TestGateway gateway = gateway(redis.port())) {
            assertTrue(counted(gateway.get("/lenient")));
            Duration healthy = medianLatency(gateway, "/strict", 200);
            SuspendedRedis hung = SuspendedRedis.suspend(redis);
            try {
                List<Timed> strict = concurrently(gateway, "/strict");
                assertRefused(strict);
                List<Long> strictAdded = addedMillis(strict, healthy);
                assertWaitedForTheTimeout(strictAdded.get(0));
                assertNoneWaitedMuchMoreThanOneTimeout(strictAdded);

                List<Timed> lenient = concurrently(gateway, "/lenient");
                for (Timed timed : lenient) {
                    assertEquals(200, timed.response().statusCode(), "allow_degradation lets the request through");
                    assertTrue(!counted(timed.response()), "uncounted");
                }
                List<Long> lenientAdded = addedMillis(lenient, healthy);
                assertWaitedForTheTimeout(lenientAdded.get(0));
                assertNoneWaitedMuchMoreThanOneTimeout(lenientAdded);
            } finally {
                hung.close();
            }
            long deadline = System.nanoTime() + 15_000_000_000L;
            boolean resumed = counted(gateway.get("/strict"));
            while (!resumed && System.nanoTime() < deadline) {
                resumed = counted(gateway.get("/strict"));
            }
            assertTrue(resumed, "counting resumes once Redis answers again");
        }
    }

    @Test
    void aServerThatAcceptsButNeverAnswersCostsEachRequestAboutOneTimeout() throws Exception {
        try (SilentServer silent = new SilentServer(); TestGateway gateway = gateway(silent.port())) {
            // no healthy Redis here: a request no route takes measures the rest of the path
            Duration healthy = medianLatency(gateway, "/nowhere", 404);
            timed(gateway, "/strict"); // loads the Redis client's classes, which the first request pays for
            List<Timed> strict = concurrently(gateway, "/strict");
            assertRefused(strict);
            List<Long> added = addedMillis(strict, healthy);
            // a request that joins a connection attempt already under way fails with it, sooner
            assertWaitedForTheTimeout(added.get(added.size() - 1));
            assertNoneWaitedMuchMoreThanOneTimeout(added);
        }
    }

    /** Accepts TCP connections and holds them, reading and writing nothing. */
    private static final class SilentServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new ArrayList<>();

        SilentServer() throws IOException {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket socket = server.accept();
                        synchronized (held) {
                            held.add(socket);
                        }
                    }
                } catch (IOException closed) {
                    // close() stops accepting
                }
            }, "silent-redis");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (held) {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }
}
