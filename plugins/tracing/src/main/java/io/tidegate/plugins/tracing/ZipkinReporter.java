package io.tidegate.plugins.tracing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.PluginLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Zipkin v2 spans to one endpoint, batched in the background as APISIX's batch processor does
 * for zipkin (batch_max_size 1000, inactive_timeout 5 s, buffer_duration 60 s, no retry): a batch
 * goes out when 1000 spans wait, when none came for 5 s, or when the oldest has waited 60 s. The
 * request path only queues; a full queue or a failed post drops spans, counted in
 * {@code droppedEntries()}. Shared by every zipkin instance with that endpoint.
 */
final class ZipkinReporter implements AutoCloseable {
    static final int BATCH_MAX = 1000;
    static final int QUEUE_MAX = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final HttpClient client;
    private final DropCounter drops;
    private final PluginLog log;
    private final long inactiveNanos;
    private final long bufferNanos;
    private final ConcurrentLinkedQueue<ObjectNode> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private volatile long lastPush;
    private volatile long firstPush;
    private final ScheduledExecutorService timer;

    ZipkinReporter(URI endpoint, HttpClient client, DropCounter drops, PluginLog log, Duration inactive, Duration buffer) {
        this.endpoint = endpoint;
        this.client = client;
        this.drops = drops;
        this.log = log;
        this.inactiveNanos = inactive.toNanos();
        this.bufferNanos = buffer.toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "zipkin-reporter");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(10, Math.min(1000, inactive.toMillis() / 5));
        timer.scheduleWithFixedDelay(this::flushIfDue, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** Queues a span; never blocks. */
    void report(ObjectNode span) {
        int queued = size.incrementAndGet();
        if (queued > QUEUE_MAX) {
            size.decrementAndGet();
            drops.add(1);
            return;
        }
        long now = System.nanoTime();
        if (queued == 1) {
            firstPush = now;
        }
        lastPush = now;
        queue.add(span);
        if (queued == BATCH_MAX) {
            timer.execute(this::flushIfDue);
        }
    }

    private void flushIfDue() {
        try {
            long now = System.nanoTime();
            while (size.get() >= BATCH_MAX
                    || (size.get() > 0 && (now - lastPush >= inactiveNanos || now - firstPush >= bufferNanos))) {
                flush();
            }
        } catch (RuntimeException e) {
            log.warn("zipkin report failed: {}", e.toString());
        }
    }

    /** Sends up to one batch; runs on the reporter's thread only. */
    private void flush() {
        ArrayNode batch = JSON.createArrayNode();
        ObjectNode span;
        while (batch.size() < BATCH_MAX && (span = queue.poll()) != null) {
            batch.add(span);
        }
        int n = batch.size();
        if (size.addAndGet(-n) > 0) {
            firstPush = System.nanoTime();
        }
        if (n == 0) {
            return;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(batch)))
                    .build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() < 200 || response.statusCode() >= 300) {
                drops.add(n);
                log.warn("zipkin collector {} answered {}: {} spans dropped", endpoint, response.statusCode(), n);
            }
        } catch (java.io.IOException e) {
            drops.add(n);
            log.warn("report zipkin span failed: {} ({}): {} spans dropped", endpoint, e.toString(), n);
        } catch (InterruptedException e) {
            drops.add(n);
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            if (timer.awaitTermination(5, TimeUnit.SECONDS)) {
                while (size.get() > 0 && !Thread.currentThread().isInterrupted()) {
                    flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
