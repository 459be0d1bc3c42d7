package io.tidegate.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load client of {@code bench/admin-writes.sh}: preloads routes straight into etcd, waits until
 * the gateway serves them, then makes route writes through the Admin API from several writer
 * threads and reports writes/s, write latency and, for a sample of the writes, the time from the
 * write's 2xx to the route serving on the proxy port. Not a JMH benchmark: it measures a running
 * gateway process, which the script starts.
 *
 * <p>Every route is an exact path of its own ({@code /r/17}) on one shared upstream, the origin
 * this class also runs (200 to anything), so a route serves exactly when its path answers 200 on
 * the proxy port (the gateway answers 404 before). A write gives the route a path never used
 * before ({@code /w/123}), so a changed route is seen serving too.
 *
 * <pre>
 * origin  PORT                                   (serves until killed)
 * preload ETCD_ENDPOINT PREFIX ROUTES ORIGIN_HOST:PORT
 * await   PROXY_PORT PATH TIMEOUT_SECONDS
 * writes  ADMIN_PORT API_KEY PROXY_PORT WRITES WRITERS ROUTES [SAMPLE_EVERY] [MAX_SECONDS] [ID_PREFIX]
 * </pre>
 */
public final class AdminWriteLoad {
    private static final String UPSTREAM_ID = "origin";

    private AdminWriteLoad() {}

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "origin" -> origin(Integer.parseInt(args[1]));
            case "preload" -> preload(args[1], args[2], Integer.parseInt(args[3]), args[4]);
            case "await" -> await(Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]));
            case "writes" -> writes(Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]), args.length > 7 ? Integer.parseInt(args[7]) : 20,
                    args.length > 8 ? Integer.parseInt(args[8]) : 600, args.length > 9 ? args[9] : "");
            default -> {
                System.err.println("usage: preload|await|writes ... (see the class comment)");
                System.exit(2);
            }
        }
    }

    static String route(String id, String path) {
        return "{\"uri\":\"" + path + "\",\"upstream_id\":\"" + UPSTREAM_ID + "\",\"desc\":\"route " + id + "\"}";
    }

    /** The routes' upstream: 200 "ok" to every request, on two threads (it only answers the samples). */
    private static void origin(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        byte[] ok = "ok".getBytes(StandardCharsets.US_ASCII);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
    }

    /** The upstream and ROUTES routes, written with up to 256 puts in flight. */
    private static void preload(String endpoint, String prefix, int routes, String origin) throws Exception {
        long start = System.nanoTime();
        try (Client client = Client.builder().endpoints(endpoint).build()) {
            put(client, prefix + "/upstreams/" + UPSTREAM_ID, "{\"nodes\":{\"" + origin + "\":1}}").get(30, TimeUnit.SECONDS);
            Semaphore inFlight = new Semaphore(256);
            List<CompletableFuture<?>> puts = new ArrayList<>();
            for (int i = 0; i < routes; i++) {
                inFlight.acquire();
                puts.add(put(client, prefix + "/routes/r" + i, route("r" + i, "/r/" + i))
                        .whenComplete((r, e) -> inFlight.release()));
            }
            CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
        }
        System.out.printf("preloaded %d routes in %.1f s%n", routes, (System.nanoTime() - start) / 1e9);
    }

    private static CompletableFuture<?> put(Client client, String key, String value) {
        return client.getKVClient().put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value, StandardCharsets.UTF_8));
    }

    private static void await(int proxyPort, String path, int timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (status(proxyPort, path) != 200) {
            if (System.nanoTime() > deadline) {
                System.err.println(path + " did not serve within " + timeoutSeconds + " s");
                System.exit(1);
            }
            Thread.sleep(50);
        }
    }

    /** A route written and answered 2xx at {@code nanos}: the sampler times how long until it serves. */
    private record Written(String path, long nanos) {}

    private static void writes(int adminPort, String apiKey, int proxyPort, int writes, int writers, int routes, int sampleEvery,
                               int maxSeconds, String idPrefix) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long[][] latencies = new long[writers][];
        BlockingQueue<Written> toSample = new ArrayBlockingQueue<>(4);
        List<Long> serveNanos = new ArrayList<>();
        AtomicInteger unserved = new AtomicInteger();
        Thread sampler = new Thread(() -> sample(proxyPort, toSample, serveNanos, unserved), "sampler");
        sampler.start();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        // a gateway thrashing in GC could take hours: the writes stop at the deadline and count what was done
        long deadline = start + TimeUnit.SECONDS.toNanos(maxSeconds);
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread thread = new Thread(() -> {
                long[] mine = new long[Math.min(writes, 1 << 16)];
                int count = 0;
                for (int n = next.getAndIncrement(); n < writes && System.nanoTime() < deadline; n = next.getAndIncrement()) {
                    // half new routes, half changes of preloaded ones; each gets a path never used before
                    // a warm-up (ID_PREFIX given) only changes routes: the measured writes start with ROUTES stored
                    String id = n % 2 == 0 && idPrefix.isEmpty() ? "n" + n : "r" + ThreadLocalRandom.current().nextInt(routes);
                    String path = "/w/" + idPrefix + n;
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/apisix/admin/routes/" + id))
                            .header("X-API-KEY", apiKey).timeout(Duration.ofSeconds(60))
                            .PUT(HttpRequest.BodyPublishers.ofString(route(id, path))).build();
                    long sent = System.nanoTime();
                    int status;
                    try {
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        status = response.statusCode();
                        if (status / 100 != 2 && failed.get() < 5) {
                            System.err.println("write " + n + ": " + status + " " + response.body());
                        }
                    } catch (IOException e) {
                        status = -1;
                    } catch (InterruptedException e) {
                        return;
                    }
                    long done = System.nanoTime();
                    if (count == mine.length) {
                        mine = Arrays.copyOf(mine, count * 2);
                    }
                    mine[count++] = done - sent;
                    if (status / 100 != 2) {
                        failed.incrementAndGet();
                    } else if (n % sampleEvery == 0) {
                        toSample.offer(new Written(path, done));  // skipped when the sampler is behind
                    }
                }
                latencies[writer] = Arrays.copyOf(mine, count);
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        sampler.join();
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        long[] serve = serveNanos.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("writes=%d failed=%d seconds=%.1f writes_per_s=%.0f write_p50_ms=%.1f write_p99_ms=%.1f "
                        + "serve_samples=%d serve_p50_ms=%.1f serve_p99_ms=%.1f serve_max_ms=%.1f unserved=%d%n",
                all.length, failed.get(), seconds, all.length / seconds, ms(all, 0.5), ms(all, 0.99),
                serve.length, ms(serve, 0.5), ms(serve, 0.99), ms(serve, 1.0), unserved.get());
    }

    /**
     * Polls each sampled route's path every 2 ms until it answers 200 (at most 30 s), one route at a
     * time, over one kept-alive connection: polling is load on the gateway too, and a connection per
     * poll made it a good share of the gateway's work.
     */
    private static void sample(int proxyPort, BlockingQueue<Written> toSample, List<Long> serveNanos, AtomicInteger unserved) {
        try (KeptAlive poller = new KeptAlive(proxyPort)) {
            while (true) {
                Written written = toSample.take();
                long deadline = written.nanos() + TimeUnit.SECONDS.toNanos(30);
                while (poller.status(written.path()) != 200) {
                    if (System.nanoTime() > deadline) {
                        unserved.incrementAndGet();
                        break;
                    }
                    Thread.sleep(2);
                }
                if (System.nanoTime() <= deadline) {
                    serveNanos.add(System.nanoTime() - written.nanos());
                }
            }
        } catch (InterruptedException e) {
            // the writes are over
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** GETs over one HTTP/1.1 connection, opened again when the gateway closes it. */
    private static final class KeptAlive implements AutoCloseable {
        private final int port;
        private Socket socket;
        private InputStream in;

        KeptAlive(int port) {
            this.port = port;
        }

        int status(String path) throws IOException {
            for (int attempt = 0; ; attempt++) {
                try {
                    if (socket == null) {
                        socket = new Socket("127.0.0.1", port);
                        socket.setSoTimeout(10_000);
                        in = new java.io.BufferedInputStream(socket.getInputStream());
                    }
                    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: bench\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    return readResponse();
                } catch (IOException e) {
                    close();
                    if (attempt > 0) {
                        throw e;
                    }
                }
            }
        }

        /** Reads one response with a Content-Length body; returns its status. */
        private int readResponse() throws IOException {
            String statusLine = line();
            long length = 0;
            for (String header = line(); !header.isEmpty(); header = line()) {
                if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Long.parseLong(header.substring(15).trim());
                }
            }
            in.skipNBytes(length);
            return Integer.parseInt(statusLine.substring(9, 12));
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // gone already
                }
                socket = null;
            }
        }
    }

    /** The status of {@code GET path} on the proxy port, over a fresh connection (nothing pooled to go stale). */
    private static int status(int port, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);  // "HTTP/1.1 200"
            return head.length < 12 ? -1 : Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII));
        } catch (java.net.ConnectException e) {
            return -1;
        }
    }

    private static double ms(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int index = Math.min(sortedNanos.length - 1, Math.max(0, (int) Math.ceil(p * sortedNanos.length) - 1));
        return sortedNanos[index] / 1e6;
    }
}
