package io.tidegate.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The gateway's access log: one JSON line per request, formatted and written off the request path
 * by a {@link LineFileWriter} (bounded queue, drops counted, survives rotation).
 */
public final class AccessLog implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();

    /** One request, as the access log records it. */
    public record Entry(long epochMillis, String clientIp, String method, String uri, int status, long bytesSent,
                        String routeId, String upstream, double latencyMs, double upstreamMs) {}

    private final LineFileWriter<Entry> writer;

    public AccessLog(Path path) {
        this(path, LineFileWriter.DEFAULT_CAPACITY);
    }

    AccessLog(Path path, int capacity) {
        this.writer = new LineFileWriter<>(path, capacity, AccessLog::toJson);
    }

    /** Never blocks: a full queue drops the entry (counted in {@link #dropped}). */
    public void record(Entry entry) {
        writer.offer(entry);
    }

    public long dropped() {
        return writer.dropped();
    }

    static String toJson(Entry e) {
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
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return text.toString();
    }

    /** Writes out what is queued, then stops. */
    @Override
    public void close() {
        writer.close();
    }
}
