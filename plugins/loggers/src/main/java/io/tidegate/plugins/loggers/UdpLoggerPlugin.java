package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code udp-logger} (priority 400, log phase): each batch as one datagram to
 * {@code host}:{@code port} ({@code timeout} 3 s): a JSON array of entries, or the entry itself when
 * {@code batch_max_size} is 1. A batch larger than a datagram can carry fails (and is dropped after
 * its retries), as in APISIX. APISIX's batch processor fields and defaults ({@code name}
 * "udp logger"). Routes and versions with the same destination and batch settings share one
 * processor ({@link PluginServices#shared}).
 */
@Extension
public final class UdpLoggerPlugin implements GatewayPlugin<UdpLoggerPlugin.Settings> {
    /** The configuration, as the schema describes it. */
    public record Settings(String host, int port, int timeout, String name,
                           int batchMaxSize, double inactiveTimeout, double bufferDuration, int maxRetryCount, double retryDelay,
                           Map<String, String> logFormat, boolean includeReqBody, JsonNode includeReqBodyExpr, int maxReqBodyBytes,
                           boolean includeRespBody, JsonNode includeRespBodyExpr, int maxRespBodyBytes)
            implements EntrySettings, BatchSettings {}

    private record Destination(String host, int port, int timeoutSeconds, BatchProcessor.Settings batch) {}

    @Override
    public String name() {
        return "udp-logger";
    }

    @Override
    public int priority() {
        return 400;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/udp-logger.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        Destination destination = new Destination(config.host(), config.port(), config.timeout(), config.batch());
        LogEntries entries = LogEntries.of(config, services);
        DropCounter dropped = services.droppedEntries();
        PluginLog log = services.log();
        BatchProcessor processor = services.shared(destination, () -> new BatchProcessor(destination.batch(),
                "udp://" + destination.host() + ":" + destination.port(), "tidegate-udp-logger", new UdpSink(destination), dropped, log));
        return new EntryLogger(entries, context -> processor.add(entries.capture(context)::utf8));
    }

    /** The batch as one datagram: a JSON array, or the entry itself when batches hold one. */
    private static final class UdpSink implements BatchProcessor.Sink {
        private final Destination to;
        private final DatagramSender sender;

        UdpSink(Destination to) {
            this.to = to;
            this.sender = new DatagramSender(to.host(), to.port(), to.timeoutSeconds() * 1000, "failed to connect to UDP server",
                    "failed to send data to UDP server");
        }

        @Override
        public Batches.Join join() {
            return Batches.jsonFor(to.batch());
        }

        @Override
        public void sendJoined(byte[] payload, int entries) throws Exception {
            sender.send(List.of(payload));
        }

        @Override
        public void close() {
            sender.close();
        }
    }
}
