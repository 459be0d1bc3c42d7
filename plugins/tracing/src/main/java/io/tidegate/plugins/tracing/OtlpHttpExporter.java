package io.tidegate.plugins.tracing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.PluginLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Posts batches to the collector's {@code /v1/traces} as OTLP/HTTP protobuf, on the batch
 * processor's own thread: it waits for the collector's answer (within {@code request_timeout})
 * before the next batch, so the encoder's buffer is reused and no other thread is involved. A
 * batch the collector does not take is logged and its spans counted as dropped.
 *
 * <p>The JDK's {@code HttpURLConnection} (keep-alive, on the calling thread) rather than its
 * {@code HttpClient}: measured per thread at 100% sampling, the HttpClient's worker and selector
 * threads took more CPU than encoding the batches, for a few posts a second.
 */
final class OtlpHttpExporter implements SpanExporter {
    /** Failures are logged at most this often: a collector that is down fails every batch. */
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final URL endpoint;
    private final int timeoutMillis;
    private final Map<String, String> headers;
    private final DropCounter drops;
    private final PluginLog log;
    private final OtlpTraceEncoder encoder = new OtlpTraceEncoder();
    /**
     * Cuts a post that outlives request_timeout. One thread for the exporter, its task cancelled when
     * the post ends: CompletableFuture's delayed executor ran each cut-off on a new thread on this
     * 2-core machine (the common pool has no threads there), one per batch.
     */
    private final java.util.concurrent.ScheduledThreadPoolExecutor cutOffs;
    private long lastLogged = System.nanoTime() - LOG_EVERY_NANOS;
    private volatile boolean shutDown;

    OtlpHttpExporter(String address, Duration timeout, Map<String, String> headers, DropCounter drops, PluginLog log) {
        this.endpoint = endpoint(address);
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        this.headers = headers;
        this.drops = drops;
        this.log = log;
        this.cutOffs = new java.util.concurrent.ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "opentelemetry-export-cut-off");
            thread.setDaemon(true);
            return thread;
        });
        cutOffs.setRemoveOnCancelPolicy(true);
    }

    private static URL endpoint(String address) {
        try {
            return new URL("http://" + address + "/v1/traces");
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException("collector.address: " + e.getMessage(), e);
        }
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        if (shutDown || spans.isEmpty()) {
            return shutDown ? CompletableResultCode.ofFailure() : CompletableResultCode.ofSuccess();
        }
        ProtoWriter body = encoder.encode(spans);
        HttpURLConnection connection = null;
        java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> cutOff = null;
        try {
            connection = (HttpURLConnection) endpoint.openConnection(java.net.Proxy.NO_PROXY);
            HttpURLConnection cut = connection;
            // HttpURLConnection has no write timeout: a collector that stops reading would hold this
            // thread, and every span after, forever; past request_timeout the connection is closed
            cutOff = cutOffs.schedule(() -> {
                if (over.compareAndSet(false, true)) {
                    cut.disconnect();
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
            connection.setRequestMethod("POST");
            connection.setConnectTimeout(timeoutMillis);
            connection.setReadTimeout(timeoutMillis);
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.size());
            connection.setRequestProperty("Content-Type", "application/x-protobuf");
            headers.forEach(connection::setRequestProperty);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body.array(), 0, body.size());
            }
            int status = connection.getResponseCode();
            drain(status / 100 == 2 ? connection.getInputStream() : connection.getErrorStream());
            if (status / 100 == 2) {
                return CompletableResultCode.ofSuccess();
            }
            return failed(spans.size(), "the collector answered " + status);
        } catch (IOException | RuntimeException e) {
            if (connection != null) {
                connection.disconnect();  // a broken connection is not kept for the next batch
            }
            return failed(spans.size(), e.toString());
        } finally {
            over.set(true);  // the post is over: a cut-off that fires now leaves the connection alone
            if (cutOff != null) {
                cutOff.cancel(false);
            }
        }
    }

    /** Reads the answer to its end, so the JDK keeps the connection for the next batch. */
    private static void drain(InputStream answer) throws IOException {
        if (answer != null) {
            try (answer) {
                answer.transferTo(OutputStream.nullOutputStream());
            }
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
        shutDown = true;
        cutOffs.shutdownNow();
        return CompletableResultCode.ofSuccess();
    }
}
