package io.tidegate.plugins.compression;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The origin behind the gateway in the compression ITs: answers {@code /text} with the first
 * {@code n} bytes of {@link #text} (compressible, deterministic), so a test compares what the
 * client decoded with the origin's own bytes. Query parameters shape the answer:
 * {@code chunked=1} streams it without Content-Length, {@code type} sets the Content-Type
 * ({@code none}: none), {@code etag}, {@code vary} and {@code encoding} set those headers, and
 * {@code hold=K} sends the first K bytes, then waits for {@link #release()} before the rest.
 */
final class Origin implements BeforeAllCallback, AfterAllCallback {
    private static final byte[] TEXT = generate(6 << 20);

    private HttpServer server;
    private ExecutorService executor;
    private volatile CountDownLatch held = new CountDownLatch(1);

    /** The first {@code n} bytes of the origin's text. */
    static byte[] text(int n) {
        return Arrays.copyOf(TEXT, n);
    }

    /** Lets a held answer ({@code hold=K}) send the rest of its body. */
    void release() {
        held.countDown();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        executor = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            int n = Integer.parseInt(query.getOrDefault("n", "4096"));
            String type = query.getOrDefault("type", "text/html");
            if (!type.equals("none")) {
                exchange.getResponseHeaders().add("Content-Type", type);
            }
            for (String header : new String[] {"etag", "vary", "encoding"}) {
                if (query.containsKey(header)) {
                    exchange.getResponseHeaders().add(header.equals("encoding") ? "Content-Encoding" : header, query.get(header));
                }
            }
            boolean chunked = query.containsKey("chunked") || query.containsKey("hold");
            exchange.sendResponseHeaders(200, chunked ? 0 : n);
            OutputStream out = exchange.getResponseBody();
            int hold = Integer.parseInt(query.getOrDefault("hold", "0"));
            if (hold > 0) {
                out.write(TEXT, 0, hold);
                out.flush();
                await();
            }
            for (int sent = hold; sent < n; sent += 16384) {
                out.write(TEXT, sent, Math.min(16384, n - sent));
            }
        }
    }

    private void await() {
        try {
            if (!held.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the held answer");
            }
            held = new CountDownLatch(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                out.put(eq < 0 ? pair : pair.substring(0, eq),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Words and numbers in a seeded order: text that compresses about as well as HTML or JSON does. */
    private static byte[] generate(int size) {
        String[] words = {"<div class=\"route\">", "upstream", "plugin", "gateway", "\"id\": ", "</div>\n", "priority",
            "compression", "<span>", "</span>", "nodes", "{\"status\": 200}", "Accept-Encoding", " ", ", "};
        Random random = new Random(42);
        StringBuilder text = new StringBuilder(size + 64);
        while (text.length() < size) {
            text.append(words[random.nextInt(words.length)]).append(random.nextInt(5000)).append(' ');
        }
        return text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }
}
