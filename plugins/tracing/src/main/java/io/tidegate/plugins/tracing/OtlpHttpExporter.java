package io.tidegate.plugins.tracing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.PluginLog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * Posts batches to the collector's {@code /v1/traces} as OTLP/HTTP protobuf, on the batch
 * processor's own thread: it waits for the collector's answer (within {@code request_timeout})
 * before the next batch, so the encoder's buffer is reused and no other thread is involved. A
 * batch the collector does not take is logged and its spans counted as dropped.
 */
final class OtlpHttpExporter implements SpanExporter {
    /** Failures are logged at most this often: a collector that is down fails every batch. */
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final URI endpoint;
    private final Duration timeout;
    private final Map<String, String> headers;
    private final DropCounter drops;
    private final PluginLog log;
    private final HttpClient client;
    private final OtlpTraceEncoder encoder = new OtlpTraceEncoder();
    private long lastLogged = System.nanoTime() - LOG_EVERY_NANOS;
    private volatile boolean shutDown;

    OtlpHttpExporter(String address, Duration timeout, Map<String, String> headers, DropCounter drops, PluginLog log) {
        this.endpoint = URI.create("http://" + address + "/v1/traces");
        this.timeout = timeout;
        this.headers = headers;
        this.drops = drops;
        this.log = log;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        if (shutDown || spans.isEmpty()) {
            return shutDown ? CompletableResultCode.ofFailure() : CompletableResultCode.ofSuccess();
        }
        ProtoWriter body = encoder.encode(spans);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.array(), 0, body.size()));
        headers.forEach(request::header);
        try {
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                return CompletableResultCode.ofSuccess();
            }
            return failed(spans.size(), "the collector answered " + response.statusCode());
        } catch (IOException e) {
            return failed(spans.size(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(spans.size(), "interrupted");
        }
    }

    private CompletableResultCode failed(int spans, String why) {
        drops.add(spans);
        long now = System.nanoTime();
        if (now - lastLogged >= LOG_EVERY_NANOS) {
            lastLogged = now;
            log.warn("opentelemetry: {} spans not exported to {}: {}", spans, endpoint, why);
        }
        return CompletableResultCode.ofFailure();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();  // every export completes before it returns
    }

    @Override
    public CompletableResultCode shutdown() {
        // Java 17's HttpClient has no close: its selector thread ends once the client is unreachable
        shutDown = true;
        return CompletableResultCode.ofSuccess();
    }
}
