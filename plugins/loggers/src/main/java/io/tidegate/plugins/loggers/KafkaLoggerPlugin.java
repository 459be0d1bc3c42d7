package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.pf4j.Extension;

/**
 * APISIX's {@code kafka-logger} (priority 403, log phase): entries batched by APISIX's batch
 * processor, each batch one Kafka message to {@code kafka_topic} (with {@code key} when set): a JSON
 * array of entries, or the entry itself when {@code batch_max_size} is 1. {@code meta_format}
 * default (the entry, as the other loggers') or origin (the request as it came: request line,
 * headers, body with {@code include_req_body}). Brokers from {@code brokers} (host, port,
 * {@code sasl_config}) or the older {@code broker_list} ({@code {"host": port}}); {@code tls}
 * (verify false by default, as APISIX). {@code producer_type} sync waits for the broker's
 * acknowledgement (a failure is retried by the batch processor), async hands the message to the
 * producer and counts a later failure as dropped; {@code required_acks} 1 or -1 (all);
 * {@code timeout} seconds. The producer (org.apache.kafka:kafka-clients) is shared by every
 * configuration with the same producer settings ({@link PluginServices#shared}) and closed once
 * none uses it.
 */
@Extension
public final class KafkaLoggerPlugin implements GatewayPlugin<KafkaLoggerPlugin.Settings> {
    /** One broker of {@code brokers}. */
    public record Broker(String host, int port, SaslConfig saslConfig) {}

    /** A broker's SASL credentials. */
    public record SaslConfig(String mechanism, String user, String password) {
        @Override
        public String toString() {
            return "SaslConfig[mechanism=" + mechanism + ", user=" + user + ", password=***]";
        }
    }

    /** TLS to the brokers. */
    public record TlsConfig(boolean verify) {}

    /** The configuration, as the schema describes it. */
    public record Settings(String metaFormat, Map<String, Integer> brokerList, List<Broker> brokers, TlsConfig tls, String kafkaTopic,
                           String producerType, int requiredAcks, String key, int timeout, int clusterName, int producerBatchNum,
                           int producerBatchSize, int producerMaxBuffering, int producerTimeLinger, int metaRefreshInterval,
                           int apiVersion, String name, int batchMaxSize, double inactiveTimeout, double bufferDuration,
                           int maxRetryCount, double retryDelay,
                           Map<String, String> logFormat, boolean includeReqBody, JsonNode includeReqBodyExpr, int maxReqBodyBytes,
                           boolean includeRespBody, JsonNode includeRespBodyExpr, int maxRespBodyBytes)
            implements EntrySettings, BatchSettings {}

    /**
     * What makes two producers different: equal settings share one. {@code clusterName} keeps
     * apart producers APISIX users asked to keep apart.
     */
    record ProducerSettings(String bootstrapServers, SaslConfig sasl, TlsConfig tls, String acks, int timeoutSeconds, boolean sync,
                            int batchSizeBytes, int lingerMillis, int maxBuffering, int metaRefreshSeconds, int clusterName) {
        Properties properties() {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "tidegate-kafka-logger-" + clusterName + "-" + PRODUCERS.incrementAndGet());
            p.put(ProducerConfig.ACKS_CONFIG, acks);
            int timeoutMillis = timeoutSeconds * 1000;
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis);
            // how long send() may wait for the topic's metadata: on the batch thread, never a request's
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMillis);
            p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMillis);
            // must cover linger and one request; the batch processor does the retrying
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, lingerMillis + timeoutMillis);
            p.put(ProducerConfig.RETRIES_CONFIG, 0);
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, batchSizeBytes);
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(batchSizeBytes, 1_048_576));
            p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, metaRefreshSeconds * 1000L);
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
            String protocol = tls != null ? "SSL" : "PLAINTEXT";
            if (sasl != null) {
                protocol = "SASL_" + protocol;
                p.put(SaslConfigs.SASL_MECHANISM, sasl.mechanism());
                String module = sasl.mechanism().equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                        : "org.apache.kafka.common.security.scram.ScramLoginModule";
                p.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + jaasQuoted(sasl.user()) + "\" password=\""
                        + jaasQuoted(sasl.password()) + "\";");
            }
            p.put("security.protocol", protocol);
            if (tls != null && !tls.verify()) {
                p.put(SslConfigs.SSL_ENGINE_FACTORY_CLASS_CONFIG, UnverifiedSslEngineFactory.class);
                p.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "");
            }
            return p;
        }

        @Override
        public String toString() {
            return "ProducerSettings[" + bootstrapServers + "]";
        }
    }

    /** What one shared processor sends to, and how it batches. */
    private record Destination(ProducerSettings producer, String topic, String key, BatchProcessor.Settings batch) {}

    private static final AtomicInteger PRODUCERS = new AtomicInteger();

    @Override
    public String name() {
        return "kafka-logger";
    }

    @Override
    public int priority() {
        return 403;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/kafka-logger.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        ProducerSettings producerSettings = producerSettings(config);
        Destination destination = new Destination(producerSettings, config.kafkaTopic(), config.key(), config.batch());
        LogEntries entries = LogEntries.of(config, services);
        DropCounter dropped = services.droppedEntries();
        PluginLog log = services.log();
        // The processor first: the gateway lets go of shared objects in the order they were taken,
        // so the processor's last batch goes out before the producer under it closes.
        AtomicReference<SharedProducer> producerCell = new AtomicReference<>();
        BatchProcessor processor = services.shared(destination, () -> {
            KafkaSink sink = new KafkaSink(destination, producerCell::get);
            BatchProcessor made = new BatchProcessor(destination.batch(), "kafka " + destination.producer().bootstrapServers()
                    + " topic " + destination.topic(), "tidegate-kafka-logger", sink, dropped, log);
            sink.processor = made;
            return made;
        });
        producerCell.set(services.shared(producerSettings, () -> new SharedProducer(producerSettings)));
        boolean origin = config.metaFormat().equals("origin");
        boolean single = config.batchMaxSize() == 1;
        return new EntryLogger(entries, context -> processor.add(entry(entries, context, origin, single)));
    }

    /**
     * The entry, its bytes made on the batch thread: JSON, or with meta_format origin the raw
     * request (a JSON string inside an array).
     */
    private static BatchProcessor.Entry entry(LogEntries entries, PluginContext context, boolean origin, boolean single) {
        if (!origin) {
            return entries.capture(context);
        }
        byte[] raw = entries.originalRequest(context);
        return single ? () -> raw : () -> quoted(raw);
    }

    private static byte[] quoted(byte[] raw) {
        byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(new String(raw, StandardCharsets.UTF_8));
        byte[] json = new byte[quoted.length + 2];
        json[0] = '"';
        System.arraycopy(quoted, 0, json, 1, quoted.length);
        json[json.length - 1] = '"';
        return json;
    }

    static ProducerSettings producerSettings(Settings config) throws PluginConfigException {
        Map<String, Integer> brokers = new LinkedHashMap<>();
        SaslConfig sasl = null;
        if (config.brokers() != null) {
            boolean first = true;
            for (Broker broker : config.brokers()) {
                if (!first && !java.util.Objects.equals(sasl, broker.saslConfig())) {
                    throw new PluginConfigException("brokers", "every broker must have the same sasl_config (one producer signs in to all)");
                }
                sasl = broker.saslConfig();
                first = false;
                brokers.put(broker.host(), broker.port());
            }
        }
        if (config.brokerList() != null) {
            brokers.putAll(config.brokerList());
        }
        List<String> servers = new ArrayList<>();
        brokers.forEach((host, port) -> servers.add((host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port));
        boolean sync = config.producerType().equals("sync");
        return new ProducerSettings(String.join(",", servers), sasl, config.tls(), config.requiredAcks() == -1 ? "all" : "1",
                config.timeout(), sync, config.producerBatchSize(),
                // sync sends at once, as lua-resty-kafka's sync producer; async lingers producer_time_linger
                sync ? 0 : config.producerTimeLinger() * 1000, config.producerMaxBuffering(), config.metaRefreshInterval(),
                config.clusterName());
    }

    private static String jaasQuoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** One Kafka producer, shared; its buffer of unacknowledged async messages bounded by {@code producer_max_buffering}. */
    static final class SharedProducer implements AutoCloseable {
        final KafkaProducer<byte[], byte[]> producer;
        final Semaphore buffering;
        final ProducerSettings settings;

        SharedProducer(ProducerSettings settings) {
            this.settings = settings;
            this.buffering = new Semaphore(settings.maxBuffering());
            // Kafka's client looks classes up through the thread's context loader: the plugin's own here
            Thread thread = Thread.currentThread();
            ClassLoader caller = thread.getContextClassLoader();
            thread.setContextClassLoader(KafkaLoggerPlugin.class.getClassLoader());
            try {
                this.producer = new KafkaProducer<>(settings.properties(), new ByteArraySerializer(), new ByteArraySerializer());
            } finally {
                thread.setContextClassLoader(caller);
            }
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(settings.timeoutSeconds()));
        }
    }

    private static final class KafkaSink implements BatchProcessor.Sink {
        private final Destination to;
        private final java.util.function.Supplier<SharedProducer> producer;
        private final byte[] key;
        volatile BatchProcessor processor;

        KafkaSink(Destination to, java.util.function.Supplier<SharedProducer> producer) {
            this.to = to;
            this.producer = producer;
            this.key = to.key() == null ? null : to.key().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Batches.Join join() {
            return Batches.jsonFor(to.batch());
        }

        @Override
        public void sendJoined(byte[] value, int entries) throws Exception {
            SharedProducer shared = producer.get();
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(to.topic(), key, value);
            if (to.producer().sync()) {
                try {
                    shared.producer.send(record).get(to.producer().timeoutSeconds() * 2L + 1, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw failure(e.getCause());
                } catch (TimeoutException e) {
                    throw failure(e);
                } catch (org.apache.kafka.common.KafkaException e) {
                    throw failure(e);
                }
                return;
            }
            if (!shared.buffering.tryAcquire()) {
                throw new BatchProcessor.Failure("failed to send data to Kafka topic: buffer overflow (producer_max_buffering "
                        + to.producer().maxBuffering() + "), brokers: " + to.producer().bootstrapServers());
            }
            try {
                shared.producer.send(record, (metadata, error) -> {
                    shared.buffering.release();
                    BatchProcessor owner = processor;
                    if (owner == null) {
                        return;
                    }
                    if (error != null) {
                        owner.lostLater(failureText(error), entries);
                    } else {
                        owner.deliveredLater();
                    }
                });
            } catch (org.apache.kafka.common.KafkaException e) {
                shared.buffering.release();
                throw failure(e);
            }
        }

        private BatchProcessor.Failure failure(Throwable cause) {
            return new BatchProcessor.Failure(failureText(cause));
        }

        private String failureText(Throwable cause) {
            return "failed to send data to Kafka topic: " + cause.getMessage() + ", brokers: " + to.producer().bootstrapServers();
        }

        @Override
        public void close() {
            SharedProducer shared = producer.get();
            if (shared != null && !to.producer().sync()) {
                shared.producer.flush(); // the last async messages settle while the producer is still held
            }
        }
    }
}
