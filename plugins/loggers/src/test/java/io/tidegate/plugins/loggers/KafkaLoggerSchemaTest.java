package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.schema.BoundSchema;
import io.tidegate.plugin.testkit.PluginRunner;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** kafka-logger's schema (kafka-logger.t's refusals, APISIX's defaults) and the producer settings it makes. */
class KafkaLoggerSchemaTest {
    private final KafkaLoggerPlugin plugin = new KafkaLoggerPlugin();

    private KafkaLoggerPlugin.Settings bind(String json) throws Exception {
        return BoundSchema.compile(plugin.configSchema()).bind(PluginRunner.json(json));
    }

    @Test
    void defaultsAreApisixs() throws Exception {
        KafkaLoggerPlugin.Settings s = bind("{\"kafka_topic\": \"test\", \"key\": \"key1\", \"broker_list\": {\"127.0.0.1\": 3}}");
        assertEquals("default", s.metaFormat());
        assertEquals("async", s.producerType());
        assertEquals(1, s.requiredAcks());
        assertEquals(3, s.timeout());
        assertEquals(1, s.clusterName());
        assertEquals(200, s.producerBatchNum());
        assertEquals(1048576, s.producerBatchSize());
        assertEquals(50000, s.producerMaxBuffering());
        assertEquals(1, s.producerTimeLinger());
        assertEquals(30, s.metaRefreshInterval());
        assertEquals(1, s.apiVersion());
        assertEquals("kafka logger", s.name());
        assertEquals(1000, s.batchMaxSize());
        assertEquals(5, s.inactiveTimeout());
        assertEquals(60, s.bufferDuration());
        assertEquals(0, s.maxRetryCount());
        assertEquals(1, s.retryDelay());
        assertEquals(403, plugin.priority());
    }

    @Test
    void theRefusalsOfKafkaLoggerT() {
        // TEST 2: missing broker list
        assertEquals(List.of(": one of broker_list, brokers is required"),
                PluginRunner.violations(plugin, "{\"kafka_topic\": \"test\", \"key\": \"key1\"}"));
        // TEST 3: wrong type of string
        assertEquals(List.of("timeout: must be an integer >= 1"), PluginRunner.violations(plugin,
                "{\"broker_list\": {\"127.0.0.1\": 3000}, \"timeout\": \"10\", \"kafka_topic\": \"test\", \"key\": \"key1\"}"));
        // TEST 28: api_version 3
        assertEquals(List.of("api_version: must be one of 0, 1, 2"), PluginRunner.violations(plugin,
                "{\"broker_list\": {\"127.0.0.1\": 3000}, \"kafka_topic\": \"test\", \"api_version\": 3}"));
        // required_acks 0 is refused by APISIX's enum {1, -1}
        assertEquals(List.of("required_acks: must be one of 1, -1"), PluginRunner.violations(plugin,
                "{\"broker_list\": {\"127.0.0.1\": 3000}, \"kafka_topic\": \"test\", \"required_acks\": 0}"));
        assertEquals(List.of("kafka_topic: is required (a non-empty string)"),
                PluginRunner.violations(plugin, "{\"broker_list\": {\"127.0.0.1\": 3000}}"));
        assertEquals(List.of("broker_list.127.0.0.1: must be an integer >= 1 and <= 65535"),
                PluginRunner.violations(plugin, "{\"broker_list\": {\"127.0.0.1\": 0}, \"kafka_topic\": \"t\"}"));
        assertEquals(List.of("brokers[0].sasl_config.password: is required (a non-empty string)"), PluginRunner.violations(plugin,
                "{\"brokers\": [{\"host\": \"k\", \"port\": 9092, \"sasl_config\": {\"user\": \"u\"}}], \"kafka_topic\": \"t\"}"));
        assertEquals(List.of("brokers[0].sasl_config.mechanism: must be one of \"PLAIN\", \"SCRAM-SHA-256\", \"SCRAM-SHA-512\""),
                PluginRunner.violations(plugin, "{\"brokers\": [{\"host\": \"k\", \"port\": 9092, \"sasl_config\": "
                        + "{\"mechanism\": \"GSSAPI\", \"user\": \"u\", \"password\": \"p\"}}], \"kafka_topic\": \"t\"}"));
        List<String> both = PluginRunner.violations(plugin,
                "{\"brokers\": [{\"host\": \"k\", \"port\": 9092}], \"broker_list\": {\"k\": 9092}, \"kafka_topic\": \"t\"}");
        assertEquals(1, both.size(), both.toString());
        assertTrue(both.get(0).contains("both broker_list and brokers"), both.toString());
    }

    @Test
    void producerSettingsFollowTheConfiguration() throws Exception {
        KafkaLoggerPlugin.ProducerSettings async = KafkaLoggerPlugin.producerSettings(bind("""
                {"brokers": [{"host": "k1", "port": 9092}, {"host": "::1", "port": 9093}], "kafka_topic": "t", "timeout": 2,
                 "required_acks": -1, "producer_time_linger": 2, "producer_batch_size": 4096}"""));
        Properties p = async.properties();
        assertEquals("k1:9092,[::1]:9093", p.get("bootstrap.servers"));
        assertEquals("all", p.get("acks"));
        assertEquals(2000, p.get("request.timeout.ms"));
        assertEquals(2000, p.get("linger.ms"));
        assertEquals(4096, p.get("batch.size"));
        assertEquals("PLAINTEXT", p.get("security.protocol"));
        assertFalse(async.sync());

        KafkaLoggerPlugin.ProducerSettings sasl = KafkaLoggerPlugin.producerSettings(bind("""
                {"brokers": [{"host": "k1", "port": 9092, "sasl_config": {"mechanism": "SCRAM-SHA-256", "user": "u", "password": "p\\"w"}}],
                 "kafka_topic": "t", "producer_type": "sync", "tls": {"verify": false}}"""));
        Properties q = sasl.properties();
        assertEquals("SASL_SSL", q.get("security.protocol"));
        assertEquals("SCRAM-SHA-256", q.get("sasl.mechanism"));
        assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\\\"w\";",
                q.get("sasl.jaas.config"));
        assertEquals(UnverifiedSslEngineFactory.class, q.get("ssl.engine.factory.class"));
        assertEquals(0, q.get("linger.ms"), "a sync producer sends at once");
        assertFalse(sasl.toString().contains("p\"w"), "the password stays out of log lines");

        KafkaLoggerPlugin.ProducerSettings old = KafkaLoggerPlugin.producerSettings(bind(
                "{\"broker_list\": {\"127.0.0.1\": 9092}, \"kafka_topic\": \"t\"}"));
        assertEquals("127.0.0.1:9092", old.bootstrapServers());
        assertNull(old.sasl());
        assertEquals("1", old.properties().get("acks"));
    }

    @Test
    void brokersMustShareTheirSaslConfig() {
        PluginConfigException error = assertThrows(PluginConfigException.class, () -> KafkaLoggerPlugin.producerSettings(bind("""
                {"brokers": [{"host": "k1", "port": 9092, "sasl_config": {"user": "u", "password": "p"}}, {"host": "k2", "port": 9092}],
                 "kafka_topic": "t"}""")));
        assertEquals("brokers", error.field());
    }
}
