package io.tidegate.plugins.loggers;

import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.OutageLog;
import io.tidegate.plugin.api.PluginLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * APISIX's batch processor for http-logger: entries wait in a bounded queue and go out together
 * when {@code batch_max_size} are waiting, when none came for {@code inactive_timeout}, or when the
 * oldest has waited {@code buffer_duration}. A failed send is retried {@code max_retry_count}
 * times, {@code retry_delay} apart, then the batch is dropped. All on one background thread; a
 * full queue drops new entries rather than wait. Every drop is counted and reported to the
 * gateway's metrics; an outage of the collector is logged once, then summarised (see
 * {@link CollectorOutage}). One per distinct setting, shared by every instance using it
 * ({@code services.shared}); closing it sends what waits.
 */
final class BatchSender implements AutoCloseable {
    record Settings(URI uri, String authHeader, Duration timeout, boolean newLine, int batchMaxSize, Duration inactiveTimeout,
                    Duration bufferDuration, int maxRetryCount, Duration retryDelay) {
        /** Without the Authorization value: settings may end up in a log line. */
        @Override
        public String toString() {
            return "Settings[uri=" + uri + (authHeader == null ? "" : ", auth_header=***") + "]";
        }
    }

    private final Settings settings;
    private final BlockingQueue<byte[]> queue;
    private final HttpClient client;
    private final ScheduledExecutorService thread;
    private final AtomicLong dropped = new AtomicLong();
    /** IO threads drop concurrently when the queue is full; one of them warns per summary period. */
    private final AtomicLong lastQueueFullWarningNanos = new AtomicLong(System.nanoTime());
    private final DropCounter reported;
    private final PluginLog log;
    private final CollectorOutage outage;
    private volatile boolean closed;
    private volatile boolean lateEntryWarned;
    private volatile long firstWaitingNanos;
    private volatile long lastAddedNanos;

    /** @param log the log of the instance that made it (its lines name the collector) */
    BatchSender(Settings settings, DropCounter reported, PluginLog log) {
        this.settings = settings;
        this.reported = reported;
        this.log = log;
        this.outage = new CollectorOutage(log, settings.uri().toString());
        this.queue = new ArrayBlockingQueue<>(Math.max(settings.batchMaxSize() * 10, 1000));
        // HTTP/1.1 as APISIX's logger: the JDK's default would try an h2c upgrade on plain http,
        // which some collectors mishandle, and look for an HTTP/2 connection before every batch.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.timeout()).build();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tidegate-http-logger");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::flushIfDue, 100, 100, TimeUnit.MILLISECONDS);
    }

    /** Never blocks; false (and counted) when the queue is full or the sender is closed. */
    boolean add(byte[] entry) {
        if (closed) {
            return droppedLate();
        }
        long now = System.nanoTime();
        if (queue.isEmpty()) {
            firstWaitingNanos = now;
        }
        lastAddedNanos = now;
        if (queue.offer(entry)) {
            // close() may have sent its last batch between the check above and the offer; the
            // queue's lock orders the two, so this second look sees it and nothing sits unsent.
            return !closed || !queue.remove(entry) || droppedLate();
        }
        long total = countDropped(1);
        long lastWarned = lastQueueFullWarningNanos.get();
        if ((total == 1 || now - lastWarned >= OutageLog.SUMMARY_EVERY.toNanos())
                && lastQueueFullWarningNanos.compareAndSet(lastWarned, now)) {
            log.warn("{}: queue full, {} entries dropped so far", settings.uri(), total);
        }
        return false;
    }

    /** A request that outlived every configuration version using this sender: counted, never queued and forgotten. */
    private boolean droppedLate() {
        countDropped(1);
        if (!lateEntryWarned) {
            lateEntryWarned = true;
            log.warn("{}: entry of a request that finished after its logger was removed dropped (counted)",
                    settings.uri());
        }
        return false;
    }

    /** Counted here (for the warnings) and in the gateway's metrics; returns the total so far. */
    private long countDropped(int entries) {
        reported.add(entries);
        return dropped.addAndGet(entries);
    }

    long dropped() {
        return dropped.get();
    }

    private void flushIfDue() {
        try {
            long now = System.nanoTime();
            while (!queue.isEmpty() && (queue.size() >= settings.batchMaxSize()
                    || now - lastAddedNanos >= settings.inactiveTimeout().toNanos()
                    || now - firstWaitingNanos >= settings.bufferDuration().toNanos())) {
                sendOne();
                firstWaitingNanos = System.nanoTime();
            }
        } catch (RuntimeException e) {
            log.error("{}: batch processing failed", settings.uri(), e);
        }
    }

    private void sendOne() {
        List<byte[]> batch = new ArrayList<>();
        queue.drainTo(batch, settings.batchMaxSize());
        if (batch.isEmpty()) {
            return;
        }
        byte[] body = body(batch);
        String failure = null;
        for (int attempt = 0; attempt <= settings.maxRetryCount(); attempt++) {
            if (attempt > 0) {
                sleep(settings.retryDelay());
            }
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(settings.uri()).timeout(settings.timeout())
                        .header("Content-Type", settings.newLine() ? "text/plain" : "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                if (settings.authHeader() != null) {
                    request.header("Authorization", settings.authHeader());
                }
                int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status < 400) {
                    outage.delivered();
                    return;
                }
                failure = "collector answered " + status;
            } catch (java.io.IOException | RuntimeException e) {
                // a RuntimeException too (a request the client refuses to build): the batch is lost and counted, never a loop of stack traces
                failure = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "interrupted";
                break;
            }
            outage.tryFailed(failure, attempt + 1, settings.maxRetryCount() + 1);
        }
        countDropped(batch.size());
        outage.batchLost(failure, batch.size());
    }

    /** Entries one per line, or a JSON array of them; a single JSON entry goes as the object itself (as APISIX). */
    private byte[] body(List<byte[]> batch) {
        boolean array = !settings.newLine() && batch.size() > 1;
        int length = batch.size() - 1 + (array ? 2 : 0);
        for (byte[] entry : batch) {
            length += entry.length;
        }
        byte[] body = new byte[length];
        int at = 0;
        if (array) {
            body[at++] = '[';
        }
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0) {
                body[at++] = (byte) (settings.newLine() ? '\n' : ',');
            }
            byte[] entry = batch.get(i);
            System.arraycopy(entry, 0, body, at, entry.length);
            at += entry.length;
        }
        if (array) {
            body[at] = ']';
        }
        return body;
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends what is waiting (one try each), then stops. */
    @Override
    public void close() {
        closed = true;
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (!queue.isEmpty()) {
            sendOne();
        }
    }
}
