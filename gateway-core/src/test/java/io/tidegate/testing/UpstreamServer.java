package io.tidegate.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real HTTP upstream for tests, on an ephemeral loopback port. Register it as a JUnit extension
 * ({@code @RegisterExtension static final UpstreamServer a = new UpstreamServer("a");}) to have it
 * started before and stopped after the test class, or {@link #start} one by hand. Every response is JSON describing
 * what arrived, so tests can assert on what the gateway forwarded:
 * <ul>
 *   <li>any path: {@code {"server", "method", "raw_path", "query", "headers", "body_bytes", "body_sha256"}}</li>
 *   <li>{@code /__slow?ms=N}: waits N ms first</li>
 *   <li>{@code /__bytes?n=N[&type=T]}: streams N pseudo-random bytes (deterministic) instead of JSON, as Content-Type T when given</li>
 *   <li>{@code /__echo}: streams the request body back as it reads it</li>
 *   <li>{@code /__hop}: answers with a header the Connection header marks hop-by-hop</li>
 * </ul>
 */
public final class UpstreamServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The JDK server writes head and body separately; with Nagle on, each response waits for
        // the gateway's delayed ACK (about 40 ms). Read once, before the first server starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    private final String name;
    private HttpServer server;
    private ExecutorService executor;
    private SSLContext tls;
    private boolean needClientAuth;
    private long delayMillis;
    private final AtomicInteger requests = new AtomicInteger();
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

    /** @param name reported as {@code "server"} in every response, so tests see who answered */
    public UpstreamServer(String name) {
        this.name = name;
    }

    /** Serves HTTPS with this context; {@code needClientAuth} demands a client certificate (mTLS). */
    public UpstreamServer tls(SSLContext context, boolean needClientAuth) {
        this.tls = context;
        this.needClientAuth = needClientAuth;
        return this;
    }

    /** Waits this long before every answer: a slow node. */
    public UpstreamServer delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    public static UpstreamServer start(String name) {
        UpstreamServer upstream = new UpstreamServer(name);
        upstream.start();
        return upstream;
    }

    /** An HTTPS upstream started by hand, serving with this context. */
    public static UpstreamServer start(String name, SSLContext tls) {
        UpstreamServer upstream = new UpstreamServer(name).tls(tls, false);
        upstream.start();
        return upstream;
    }

    private void start() {
        try {
            executor = Executors.newCachedThreadPool();
            if (tls == null) {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            } else {
                HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
                https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                    @Override
                    public void configure(HttpsParameters params) {
                        SSLParameters parameters = tls.getDefaultSSLParameters();
                        parameters.setNeedClientAuth(needClientAuth);
                        params.setSSLParameters(parameters);
                    }
                });
                server = https;
            }
            server.createContext("/", this::handle);
            server.setExecutor(executor);
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code 127.0.0.1:port}, as a node address. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    public int requestCount() {
        return requests.get();
    }

    /** Distinct client ports seen: how many connections the gateway opened to this upstream. */
    public int connectionCount() {
        return clientPorts.size();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        clientPorts.add(exchange.getRemoteAddress().getPort());
        if (delayMillis > 0) {
            sleep(delayMillis);
        }
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            Map<String, String> query = Queries.parse(exchange.getRequestURI().getRawQuery());
            switch (path) {
                case "/__slow" -> sleep(Long.parseLong(query.getOrDefault("ms", "1000")));
                case "/__bytes" -> {
                    if (query.get("type") != null) {
                        exchange.getResponseHeaders().add("Content-Type", query.get("type"));
                    }
                    streamBytes(exchange, Long.parseLong(query.get("n")));
                    return;
                }
                case "/__echo" -> {
                    echo(exchange);
                    return;
                }
                case "/__hop" -> {
                    exchange.getResponseHeaders().add("Connection", "X-Hop-Header");
                    exchange.getResponseHeaders().add("X-Hop-Header", "must-not-reach-client");
                    exchange.getResponseHeaders().add("Keep-Alive", "timeout=5");
                    exchange.getResponseHeaders().add("X-End-To-End", "kept");
                }
                default -> { }
            }
            describe(exchange);
        }
    }

    private void describe(HttpExchange exchange) throws IOException {
        MessageDigest sha = sha256();
        long bodyBytes = 0;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
                bodyBytes += n;
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("server", name);
        out.put("method", exchange.getRequestMethod());
        out.put("raw_path", exchange.getRequestURI().getRawPath());
        out.put("query", exchange.getRequestURI().getRawQuery());
        ObjectNode headers = out.putObject("headers");
        exchange.getRequestHeaders().forEach((key, values) -> headers.put(key.toLowerCase(), String.join(",", values)));
        out.put("body_bytes", bodyBytes);
        out.put("body_sha256", HexFormat.of().formatHex(sha.digest()));
        byte[] body = JSON.writeValueAsBytes(out);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void streamBytes(HttpExchange exchange, long n) throws IOException {
        exchange.sendResponseHeaders(200, 0); // chunked: the gateway must stream, not rely on a length
        try (OutputStream out = exchange.getResponseBody()) {
            byte[] chunk = new byte[65536];
            long sent = 0;
            while (sent < n) {
                int size = (int) Math.min(chunk.length, n - sent);
                TestBytes.fill(chunk, sent, size);
                out.write(chunk, 0, size);
                sent += size;
            }
        }
    }

    private static void echo(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Minimal query parsing for the test endpoints. */
    static final class Queries {
        static Map<String, String> parse(String raw) {
            if (raw == null || raw.isEmpty()) {
                return Map.of();
            }
            Map<String, String> out = new java.util.HashMap<>();
            for (String pair : List.of(raw.split("&"))) {
                int eq = pair.indexOf('=');
                out.put(eq < 0 ? pair : pair.substring(0, eq),
                        eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            return out;
        }
    }
}
