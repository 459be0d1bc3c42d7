package io.tidegate.plugins.loggers;

import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.PluginLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * http-logger's destination: a {@link BatchProcessor} whose sink POSTs each batch to the collector
 * ({@code uri}, {@code auth_header}, {@code timeout}), as a JSON array or joined lines; a single
 * JSON entry goes as the object itself (as APISIX). A status >= 400 is a failed try. One per
 * distinct setting, shared by every instance using it ({@code services.shared}); closing it sends
 * what waits.
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

    private final BatchProcessor processor;

    /** @param log the log of the instance that made it (its lines name the collector) */
    BatchSender(Settings settings, DropCounter reported, PluginLog log) {
        this.processor = new BatchProcessor(new BatchProcessor.Settings("http logger", settings.batchMaxSize(),
                settings.inactiveTimeout(), settings.bufferDuration(), settings.maxRetryCount(), settings.retryDelay()),
                settings.uri().toString(), "tidegate-http-logger", new HttpSink(settings), reported, log);
    }

    /** Never blocks; false (and counted) when the queue is full or the sender is closed. */
    boolean add(BatchProcessor.Entry entry) {
        return processor.add(entry);
    }

    long dropped() {
        return processor.dropped();
    }

    /** Sends what is waiting (one try each), then stops. */
    @Override
    public void close() {
        processor.close();
    }

    private static final class HttpSink implements BatchProcessor.Sink {
        private final Settings settings;
        private final HttpClient client;

        HttpSink(Settings settings) {
            this.settings = settings;
            // HTTP/1.1 as APISIX's logger: the JDK's default would try an h2c upgrade on plain http,
            // which some collectors mishandle, and look for an HTTP/2 connection before every batch.
            this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.timeout()).build();
        }

        @Override
        public Batches.Join join() {
            return settings.newLine() ? Batches.Join.LINES : Batches.Join.JSON_OR_SINGLE;
        }

        @Override
        public void sendJoined(byte[] body, int entries) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(settings.uri()).timeout(settings.timeout())
                    .header("Content-Type", settings.newLine() ? "text/plain" : "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (settings.authHeader() != null) {
                request.header("Authorization", settings.authHeader());
            }
            int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 400) {
                throw new BatchProcessor.Failure("collector answered " + status);
            }
        }
    }
}
