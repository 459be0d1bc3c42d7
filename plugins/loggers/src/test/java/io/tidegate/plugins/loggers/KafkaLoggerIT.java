package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.testing.FreePort;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** kafka-logger end to end: the real gateway, a real KRaft broker (started once for the class), a real consumer. */
class KafkaLoggerIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    @TempDir
    static Path dir;

    static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(dir);
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        try (Admin client = Admin.create(admin)) {
            client.createTopics(List.of(new NewTopic("batched", 1, (short) 1), new NewTopic("origin", 1, (short) 1),
                    new NewTopic("async-a", 1, (short) 1), new NewTopic("async-b", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    /** The topic's records from its start, once there are {@code count} (or after 10 s). */
    private static List<ConsumerRecord<String, String>> consume(String topic, int count) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.currentTimeMillis() + 10_000;
            while (records.size() < count && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    @Test
    void entriesOfABatchGoAsOneMessageWithTheKey() throws Exception {
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: batched
                    uri: /b
                    plugins:
                      kafka-logger:
                        brokers: [{ host: 127.0.0.1, port: %d }]
                        kafka_topic: batched
                        key: key1
                        producer_type: sync
                        required_acks: -1
                        batch_max_size: 3
                        inactive_timeout: 30
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(broker.port(), upstream.address()))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, gw.get("/b?n=" + i).statusCode());
            }
            List<ConsumerRecord<String, String>> records = consume("batched", 1);
            assertEquals(1, records.size(), "one message for the batch");
            assertEquals("key1", records.get(0).key());
            JsonNode batch = JSON.readTree(records.get(0).value());
            assertTrue(batch.isArray());
            assertEquals(3, batch.size());
            assertEquals("batched", batch.get(0).get("route_id").asText());
            assertEquals("2", batch.get(2).at("/request/querystring/n").asText());
            assertEquals(upstream.address(), batch.get(1).get("upstream").asText(), "as kafka-logger.t TEST 12 expects");
        }
    }

    @Test
    void metaFormatOriginSendsTheRequestAsItCame() throws Exception {
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: origin
                    uri: /hello
                    plugins:
                      kafka-logger: { broker_list: { "127.0.0.1": %d }, kafka_topic: origin, batch_max_size: 1, include_req_body: true, meta_format: origin, timeout: 1 }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(broker.port(), upstream.address()))) {
            assertEquals(200, gw.send(gw.request("/hello?ab=cd").header("X-Trace", "t1")
                    .POST(HttpRequest.BodyPublishers.ofString("abcdef")).build()).statusCode());
            List<ConsumerRecord<String, String>> records = consume("origin", 1);
            assertEquals(1, records.size());
            assertNull(records.get(0).key(), "no key configured");
            String raw = records.get(0).value();
            assertTrue(raw.startsWith("POST /hello?ab=cd HTTP/1.1\r\n"), raw);
            assertTrue(raw.contains("\r\ncontent-length: 6\r\n"), raw);
            assertTrue(raw.contains("\r\nx-trace: t1\r\n"), raw);
            assertTrue(raw.endsWith("\r\n\r\nabcdef"), "the body after the blank line: " + raw);
        }
    }

    @Test
    void twoRoutesShareOneAsyncProducerAndEachReachesItsTopic() throws Exception {
        try (TestGateway gw = PluginGateway.start("""
                routes:
                  - id: a
                    uri: /a
                    plugins: { kafka-logger: { brokers: [{ host: 127.0.0.1, port: %1$d }], kafka_topic: async-a, batch_max_size: 2, inactive_timeout: 0.2, log_format: { uri: "$uri" } } }
                    upstream: { nodes: { "%2$s": 1 } }
                  - id: b
                    uri: /b
                    plugins: { kafka-logger: { brokers: [{ host: 127.0.0.1, port: %1$d }], kafka_topic: async-b, batch_max_size: 2, inactive_timeout: 0.2, log_format: { uri: "$uri" } } }
                    upstream: { nodes: { "%2$s": 1 } }
                """.formatted(broker.port(), upstream.address()))) {
            gw.get("/a");
            gw.get("/b");
            List<ConsumerRecord<String, String>> a = consume("async-a", 1);
            List<ConsumerRecord<String, String>> b = consume("async-b", 1);
            assertEquals(1, a.size());
            assertEquals(1, b.size());
            assertEquals("/a", JSON.readTree(a.get(0).value()).get(0).get("uri").asText(), "batch_max_size 2: an array even of one");
            assertEquals("b", JSON.readTree(b.get(0).value()).get(0).get("route_id").asText());
        }
    }

    @Test
    void anUnreachableBrokerCountsTheDropsWithoutSlowingRequests() throws Exception {
        int closed = FreePort.pick();
        try (TestGateway gw = PluginGateway.startWithMetrics("""
                routes:
                  - id: lost
                    uri: /lost
                    plugins: { kafka-logger: { broker_list: { "127.0.0.1": %d }, kafka_topic: nowhere, producer_type: sync, timeout: 1, batch_max_size: 1 } }
                    upstream: { nodes: { "%s": 1 } }
                """.formatted(closed, upstream.address()))) {
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                assertEquals(200, gw.get("/lost").statusCode(), "a down broker never fails the request");
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 1000, "requests do not wait for the broker: " + millis + " ms");
            String sample = "tidegate_plugin_entries_dropped_total{plugin=\"kafka-logger\"} 3.0";
            long deadline = System.currentTimeMillis() + 15_000;
            String metrics = gw.metrics();
            while (!metrics.contains(sample) && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                metrics = gw.metrics();
            }
            assertTrue(metrics.contains(sample), "three dropped entries counted:\n" + metrics);
        }
    }
}
