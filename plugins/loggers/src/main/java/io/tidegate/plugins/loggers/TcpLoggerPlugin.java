package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code tcp-logger} (priority 405, log phase): entries batched to a TCP collector
 * ({@code host}, {@code port}, {@code timeout} 1000 ms, {@code tls} with {@code tls_options} as the
 * server name), one connection per batch, closed after it, as APISIX: the collector reads a batch
 * up to the close. A batch is a JSON array of entries, or the entry itself when
 * {@code batch_max_size} is 1. APISIX's batch processor fields and defaults ({@code name}
 * "tcp logger"). Routes and versions with the same destination and batch settings share one
 * processor ({@link PluginServices#shared}).
 */
@Extension
public final class TcpLoggerPlugin implements GatewayPlugin<TcpLoggerPlugin.Settings> {
    /** The configuration, as the schema describes it. */
    public record Settings(String host, int port, boolean tls, String tlsOptions, int timeout, String name,
                           int batchMaxSize, double inactiveTimeout, double bufferDuration, int maxRetryCount, double retryDelay,
                           Map<String, String> logFormat, boolean includeReqBody, JsonNode includeReqBodyExpr, int maxReqBodyBytes,
                           boolean includeRespBody, JsonNode includeRespBodyExpr, int maxRespBodyBytes)
            implements EntrySettings, BatchSettings {}

    /** What one shared processor sends to, and how it batches. */
    private record Destination(String host, int port, boolean tls, String tlsOptions, int timeoutMillis, BatchProcessor.Settings batch) {}

    @Override
    public String name() {
        return "tcp-logger";
    }

    @Override
    public int priority() {
        return 405;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/tcp-logger.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        Destination destination = new Destination(config.host(), config.port(), config.tls(), config.tlsOptions(),
                config.timeout(), config.batch());
        LogEntries entries = LogEntries.of(config, services);
        DropCounter dropped = services.droppedEntries();
        PluginLog log = services.log();
        BatchProcessor processor = services.shared(destination, () -> new BatchProcessor(destination.batch(),
                (destination.tls() ? "tls://" : "tcp://") + destination.host() + ":" + destination.port(), "tidegate-tcp-logger",
                new TcpSink(destination), dropped, log));
        return new EntryLogger(entries, context -> processor.add(entries.capture(context)::utf8));
    }

    private static final class TcpSink implements BatchProcessor.Sink {
        private final Destination to;

        TcpSink(Destination to) {
            this.to = to;
        }

        @Override
        public Batches.Join join() {
            return Batches.jsonFor(to.batch());
        }

        @Override
        public void sendJoined(byte[] data, int entries) throws Exception {
            try (Socket plain = new Socket()) {
                plain.setSoTimeout(to.timeoutMillis());
                try {
                    plain.connect(new InetSocketAddress(to.host(), to.port()), to.timeoutMillis());
                } catch (java.io.IOException e) {
                    throw new BatchProcessor.Failure("failed to connect to TCP server: host[" + to.host() + "] port["
                            + to.port() + "] err: " + e.getMessage());
                }
                Socket socket = plain;
                if (to.tls()) {
                    try {
                        socket = Tls.handshake(plain, to.host(), to.port(), to.tlsOptions());
                    } catch (java.io.IOException e) {
                        throw new BatchProcessor.Failure("failed to perform TLS handshake to TCP server: host[" + to.host()
                                + "] port[" + to.port() + "] err: " + e.getMessage());
                    }
                }
                try (Socket open = socket) {
                    OutputStream out = open.getOutputStream();
                    out.write(data);
                    out.flush();
                } catch (java.io.IOException e) {
                    throw new BatchProcessor.Failure("failed to send data to TCP server: host[" + to.host() + "] port["
                            + to.port() + "] err: " + e.getMessage());
                }
            }
        }
    }
}
