package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.plugin.CompileServices;
import io.tidegate.plugin.PluginOutputs;
import io.tidegate.plugin.SharedStates;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.LineSink;
import io.tidegate.plugin.schema.BoundSchema;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.testing.FreePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KafkaLoggerPluginTest {
    private final KafkaLoggerPlugin plugin = new KafkaLoggerPlugin();

    @Test
    void oneProducerPerDistinctSettingClosedWhenNoConfigurationUsesIt() throws Exception {
        SharedStates shared = new SharedStates();
        CompileServices version = new CompileServices(Map.of(), Set.of(), new PluginOutputs() {
            @Override
            public LineSink lineSink(String path) {
                return line -> false;
            }

            @Override
            public DropCounter droppedEntries(String pluginName) {
                return n -> {};
            }

            @Override
            public SharedStates sharedStates() {
                return shared;
            }
        });
        int port = FreePort.pick(); // nothing listens: a producer connects only when it sends
        List<SharedStates.Hold> topicA = new ArrayList<>();
        List<SharedStates.Hold> topicB = new ArrayList<>();
        List<SharedStates.Hold> otherCluster = new ArrayList<>();
        create(config(port, "a", 1), version, topicA);
        create(config(port, "b", 1), version, topicB);
        assertEquals(3, shared.open(), "a processor per topic, one producer for both");
        create(config(port, "a", 2), version, otherCluster);
        assertEquals(5, shared.open(), "another cluster_name: a processor and a producer of its own");
        topicA.forEach(SharedStates.Hold::release);
        assertEquals(4, shared.open(), "the producer stays while topic b uses it");
        topicB.forEach(SharedStates.Hold::release);
        otherCluster.forEach(SharedStates.Hold::release);
        assertEquals(0, shared.open(), "every producer closed");
    }

    private static String config(int port, String topic, int cluster) {
        return """
                {"brokers": [{"host": "127.0.0.1", "port": %d}], "kafka_topic": "%s", "cluster_name": %d, "timeout": 1}"""
                .formatted(port, topic, cluster);
    }

    private void create(String json, CompileServices version, List<SharedStates.Hold> holds) throws Exception {
        KafkaLoggerPlugin.Settings settings = BoundSchema.compile(plugin.configSchema()).bind(PluginRunner.json(json));
        plugin.create(settings, version.forPlugin(plugin, "route:1", holds));
    }
}
