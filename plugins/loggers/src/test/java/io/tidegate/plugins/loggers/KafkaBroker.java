package io.tidegate.plugins.loggers;

import io.tidegate.testing.FreePort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real Kafka broker for tests: one KRaft node (broker and controller together) on free loopback
 * ports, its storage formatted in a temporary folder, run as a child JVM from the test class path
 * (kafka_2.13, test scope) so the broker's threads and logging stay out of the test's JVM.
 */
final class KafkaBroker implements AutoCloseable {
    private final Process process;
    private final int port;

    private KafkaBroker(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a broker and waits until it serves (at most 60 s). */
    static KafkaBroker start(Path dir) throws Exception {
        int port = FreePort.pick();
        int controller = FreePort.pick();
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "auto.create.topics.enable=true",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "num.network.threads=1",
                "num.io.threads=2",
                "background.threads=2",
                "log.cleaner.enable=false",
                "") + "\n");
        Path log = dir.resolve("broker.log");
        int formatted = java("kafka.tools.StorageTool", log, "format", "-t", UUID.randomUUID().toString().replace("-", "").substring(0, 22),
                "-c", config.toString()).waitFor();
        if (formatted != 0) {
            throw new IllegalStateException("formatting the broker's storage failed: " + Files.readString(log));
        }
        Process broker = java("kafka.Kafka", log, config.toString());
        KafkaBroker started = new KafkaBroker(broker, port);
        started.awaitServing(log);
        return started;
    }

    private static Process java(String main, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    private void awaitServing(Path log) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited: " + Files.readString(log));
            }
            if (listening()) {
                Properties admin = new Properties();
                admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
                try (Admin client = Admin.create(admin)) {
                    client.describeCluster().nodes().get(30, TimeUnit.SECONDS);
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the broker did not start in 60 s: " + Files.readString(log));
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
