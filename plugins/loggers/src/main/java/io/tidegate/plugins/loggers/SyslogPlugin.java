package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code syslog} (priority 401, log phase): each request's entry, as JSON, in an RFC 5424
 * message (see {@link Rfc5424}: facility SYSLOG, severity INFO, the request's host as HOSTNAME,
 * "apisix" as APP-NAME, the gateway's process id), batched to a syslog server over {@code tcp}
 * (one kept connection, {@code tls} optional, messages one per line) or {@code udp} (one datagram
 * per message). {@code timeout} 3000 ms; APISIX's batch processor fields and defaults ({@code name}
 * "sys logger"). {@code flush_limit}, {@code drop_limit} and {@code pool_size} are accepted and
 * checked as APISIX does, but the batch processor alone decides when to send.
 */
@Extension
public final class SyslogPlugin implements GatewayPlugin<SyslogPlugin.Settings> {
    /** The APP-NAME of every message, as APISIX's, so a receiver's filters keep working. */
    static final String APP_NAME = "apisix";
    private static final long PID = ProcessHandle.current().pid();

    /** The configuration, as the schema describes it. */
    public record Settings(String host, int port, int flushLimit, int dropLimit, int timeout, String sockType, int poolSize, boolean tls,
                           String name, int batchMaxSize, double inactiveTimeout, double bufferDuration, int maxRetryCount, double retryDelay,
                           Map<String, String> logFormat, boolean includeReqBody, JsonNode includeReqBodyExpr, int maxReqBodyBytes,
                           boolean includeRespBody, JsonNode includeRespBodyExpr, int maxRespBodyBytes)
            implements EntrySettings, BatchSettings {}

    private record Destination(String host, int port, boolean udp, boolean tls, int timeoutMillis, BatchProcessor.Settings batch) {}

    @Override
    public String name() {
        return "syslog";
    }

    @Override
    public int priority() {
        return 401;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/syslog.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        boolean udp = config.sockType().equals("udp");
        if (udp && config.tls()) {
            throw new PluginConfigException("tls", "needs sock_type tcp");
        }
        Destination destination = new Destination(config.host(), config.port(), udp, config.tls(), config.timeout(), config.batch());
        LogEntries entries = LogEntries.of(config, services);
        DropCounter dropped = services.droppedEntries();
        PluginLog log = services.log();
        BatchProcessor processor = services.shared(destination, () -> new BatchProcessor(destination.batch(),
                (udp ? "udp://" : config.tls() ? "tls://" : "tcp://") + destination.host() + ":" + destination.port(),
                "tidegate-syslog", udp ? new UdpSink(destination) : new TcpSink(destination), dropped, log));
        return new EntryLogger(entries, context -> processor.add(message(entries, context)));
    }

    /** The message of the request in {@code context}: its time and host taken now, the JSON made when its batch goes. */
    static BatchProcessor.Entry message(LogEntries entries, PluginContext context) {
        LogEntry entry = entries.capture(context);
        Instant now = Instant.now();
        String host = context.var("host");
        return () -> Rfc5424.encode(Rfc5424.FACILITY_SYSLOG, Rfc5424.SEVERITY_INFO, now, host, APP_NAME, PID, entry.utf8());
    }

    /** One connection kept open across batches, opened again after a failure. */
    private static final class TcpSink implements BatchProcessor.Sink {
        private final Destination to;
        private Socket socket;

        TcpSink(Destination to) {
            this.to = to;
        }

        /** Framed messages back to back on the stream. */
        @Override
        public Batches.Join join() {
            return Batches.Join.CONCATENATED;
        }

        @Override
        public void sendJoined(byte[] data, int entries) throws Exception {
            if (socket == null || socket.isClosed()) {
                socket = connect();
            }
            try {
                OutputStream out = socket.getOutputStream();
                out.write(data);
                out.flush();
            } catch (IOException e) {
                close();
                throw new BatchProcessor.Failure("failed to log message: host[" + to.host() + "] port[" + to.port() + "] err: "
                        + e.getMessage());
            }
        }

        private Socket connect() throws BatchProcessor.Failure {
            Socket plain = new Socket();
            try {
                plain.setSoTimeout(to.timeoutMillis());
                plain.connect(new InetSocketAddress(to.host(), to.port()), to.timeoutMillis());
                return to.tls() ? Tls.handshake(plain, to.host(), to.port(), null) : plain;
            } catch (IOException e) {
                try {
                    plain.close();
                } catch (IOException ignored) {
                    // already failing
                }
                throw new BatchProcessor.Failure("failed to connect to syslog server: host[" + to.host() + "] port[" + to.port()
                        + "] err: " + e.getMessage());
            }
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing to keep
                }
                socket = null;
            }
        }
    }

    /** One datagram per message (RFC 5426). */
    private static final class UdpSink implements BatchProcessor.Sink {
        private final DatagramSender sender;

        UdpSink(Destination to) {
            this.sender = new DatagramSender(to.host(), to.port(), to.timeoutMillis(), "failed to connect to syslog server",
                    "failed to log message");
        }

        @Override
        public void send(List<byte[]> batch) throws Exception {
            sender.send(batch);
        }

        @Override
        public void close() {
            sender.close();
        }
    }
}
