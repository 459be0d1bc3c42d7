package io.tidegate.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream node a test can break and mend: it answers {@code /health} with {@link #healthStatus}
 * and everything else with {@link #trafficStatus} (body: its name), and can be stopped and started
 * again on the same port, as a crashed and restarted process would be.
 */
public final class SwitchableNode implements AutoCloseable {
    private final String name;
    private final int port;
    private final AtomicInteger traffic = new AtomicInteger();
    private final AtomicInteger probes = new AtomicInteger();
    private volatile int healthStatus = 200;
    private volatile int trafficStatus = 200;
    private volatile com.sun.net.httpserver.Headers lastProbeHeaders;
    private HttpServer server;
    private ExecutorService executor;

    private SwitchableNode(String name, int port) {
        this.name = name;
        this.port = port;
    }

    public static SwitchableNode start(String name) {
        SwitchableNode node = new SwitchableNode(name, FreePort.pick());
        node.start();
        return node;
    }

    public synchronized void start() {
        try {
            executor = Executors.newCachedThreadPool();
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
            server.createContext("/", this::handle);
            server.setExecutor(executor);
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + port, e);
        }
    }

    /** Closes the port and every connection, as a crash would. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    public SwitchableNode healthStatus(int status) {
        this.healthStatus = status;
        return this;
    }

    public SwitchableNode trafficStatus(int status) {
        this.trafficStatus = status;
        return this;
    }

    public String name() {
        return name;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Requests other than probes that reached this node. */
    public int trafficCount() {
        return traffic.get();
    }

    public int probeCount() {
        return probes.get();
    }

    /** The request headers of the latest probe, or null before the first. */
    public com.sun.net.httpserver.Headers lastProbeHeaders() {
        return lastProbeHeaders;
    }

    private void handle(HttpExchange exchange) throws IOException {
        boolean probe = exchange.getRequestURI().getPath().equals("/health");
        if (probe) {
            lastProbeHeaders = exchange.getRequestHeaders();
        }
        (probe ? probes : traffic).incrementAndGet();
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(probe ? healthStatus : trafficStatus, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
