package io.tidegate.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's access log: one JSON line per request, written by a background thread from a
 * bounded queue, so a slow disk never slows a request; when the queue is full the entry is dropped
 * and counted. A file moved away (logrotate) is noticed within a second and the path reopened, so
 * entries go on into the new file and none are lost in the move.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final JsonFactory JSON = new JsonFactory();
    static final int DEFAULT_CAPACITY = 65_536;

    /** One request, as the access log records it. */
    public record Entry(long epochMillis, String clientIp, String method, String uri, int status, long bytesSent,
                        String routeId, String upstream, double latencyMs, double upstreamMs) {}

    private final Path path;
    private final BlockingQueue<Entry> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;

    public AccessLog(Path path) {
        this(path, DEFAULT_CAPACITY);
    }

    AccessLog(Path path, int capacity) {
        this.path = path;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::writeLoop, "tidegate-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Never blocks: a full queue drops the entry (counted in {@link #dropped}). */
    public void record(Entry entry) {
        if (!queue.offer(entry)) {
            dropped.incrementAndGet();
        }
    }

    public long dropped() {
        return dropped.get();
    }

    private void writeLoop() {
        OutputStream out = null;
        Object openedKey = null;
        long lastCheck = 0;
        List<Entry> batch = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                Entry first = queue.poll(200, TimeUnit.MILLISECONDS);
                long now = System.currentTimeMillis();
                if (out != null && now - lastCheck >= 1000) {
                    lastCheck = now;
                    if (!sameFile(openedKey)) {
                        out.close(); // rotated away: the old file keeps what it has, the path starts anew
                        out = null;
                    }
                }
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, 4095);
                if (out == null) {
                    Files.createDirectories(path.toAbsolutePath().getParent());
                    out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    openedKey = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
                }
                StringBuilder lines = new StringBuilder(batch.size() * 200);
                for (Entry entry : batch) {
                    lines.append(toJson(entry)).append('\n');
                }
                out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closing = true;
            } catch (IOException e) {
                log.error("access log {}: cannot write ({}); {} entries lost", path, e.getMessage(), batch.size());
                dropped.addAndGet(batch.size());
                out = null;
            }
        }
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private boolean sameFile(Object openedKey) {
        try {
            return Files.exists(path)
                    && java.util.Objects.equals(openedKey, Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    static String toJson(Entry e) throws IOException {
        StringWriter text = new StringWriter(200);
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeStringField("time", java.time.Instant.ofEpochMilli(e.epochMillis()).toString());
            json.writeStringField("client_ip", e.clientIp());
            json.writeStringField("method", e.method());
            json.writeStringField("uri", e.uri());
            json.writeNumberField("status", e.status());
            json.writeNumberField("bytes_sent", e.bytesSent());
            json.writeStringField("route_id", e.routeId());
            json.writeStringField("upstream", e.upstream());
            json.writeNumberField("latency_ms", Math.round(e.latencyMs() * 1000) / 1000.0);
            if (e.upstreamMs() >= 0) {
                json.writeNumberField("upstream_ms", Math.round(e.upstreamMs() * 1000) / 1000.0);
            }
            json.writeEndObject();
        }
        return text.toString();
    }

    /** Writes out what is queued, then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
