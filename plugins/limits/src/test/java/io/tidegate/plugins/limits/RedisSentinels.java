package io.tidegate.plugins.limits;

import io.tidegate.testing.LocalProcess;
import io.tidegate.testing.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real Redis master with a replica, watched by three sentinels (quorum 2), all
 * {@code redis-server} processes on free loopback ports: the master is called down after 1 s
 * without an answer, and the sentinels then promote the replica. The data nodes require
 * {@link #PASSWORD}, the sentinels {@link #SENTINEL_PASSWORD}. Each sentinel has a config file of
 * its own, which it rewrites as it learns. Registered as a JUnit extension it runs for a test class.
 */
final class RedisSentinels extends LocalProcess {
    static final String MASTER_NAME = "mymaster";
    static final String PASSWORD = "data-secret";
    static final String SENTINEL_PASSWORD = "sentinel-secret";

    private final List<RedisNode> data = new ArrayList<>();
    private final List<RedisNode> sentinels = new ArrayList<>();

    @Override
    public synchronized void start() {
        if (!data.isEmpty()) {
            throw new IllegalStateException("the sentinels are running");
        }
        Path dir = TempDirs.create("tidegate-redis-sentinel");
        List<Integer> ports = RedisNode.freePorts(5);
        List<String> options = new ArrayList<>(RedisNode.NO_PERSISTENCE);
        options.addAll(List.of("--repl-diskless-sync-delay", "0", "--requirepass", PASSWORD, "--masterauth", PASSWORD));
        RedisNode master = new RedisNode("master", ports.get(0), folder(dir, "master"), options, PASSWORD);
        List<String> replicaOptions = new ArrayList<>(options);
        replicaOptions.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
        RedisNode replica = new RedisNode("replica", ports.get(1), folder(dir, "replica"), replicaOptions, PASSWORD);
        data.addAll(List.of(master, replica));
        data.forEach(RedisNode::start);
        RedisNode.await(() -> "up".equals(replica.info("replication", "master_link_status")), "the replica did not sync");

        for (int i = 0; i < 3; i++) {
            Path folder = folder(dir, "sentinel-" + i);
            Path config = folder.resolve("sentinel.conf");
            try {
                Files.writeString(config, String.join("\n",
                        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
                        "sentinel auth-pass " + MASTER_NAME + " " + PASSWORD,
                        "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                        "sentinel failover-timeout " + MASTER_NAME + " 5000",
                        "sentinel parallel-syncs " + MASTER_NAME + " 1",
                        // clients authenticate; the sentinels among themselves too
                        "requirepass " + SENTINEL_PASSWORD,
                        "sentinel sentinel-pass " + SENTINEL_PASSWORD,
                        ""));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sentinels.add(new RedisNode("sentinel-" + i, ports.get(2 + i), folder, List.of(config.toString(), "--sentinel"),
                    SENTINEL_PASSWORD));
        }
        sentinels.forEach(RedisNode::start);
        // each sentinel has found the replica and the two other sentinels: a failover can be agreed
        RedisNode.await(() -> sentinels.stream().allMatch(s -> {
            List<String> fields = Arrays.asList(s.cli("SENTINEL", "MASTER", MASTER_NAME).split("\n"));
            return field(fields, "num-slaves").equals("1") && field(fields, "num-other-sentinels").equals("2");
        }), "the sentinels did not find each other and the replica");
    }

    private static Path folder(Path dir, String name) {
        try {
            return Files.createDirectories(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value after {@code name} in redis-cli's rendering of a flat key/value reply. */
    private static String field(List<String> lines, String name) {
        int at = lines.indexOf(name);
        return at >= 0 && at + 1 < lines.size() ? lines.get(at + 1).trim() : "";
    }

    /** The sentinels' ports, for {@code redis_sentinels}. */
    List<Integer> sentinelPorts() {
        return sentinels.stream().map(RedisNode::port).toList();
    }

    /** The data node the sentinels name master now. */
    RedisNode master() {
        for (RedisNode sentinel : sentinels) {
            if (sentinel.running()) {
                String[] address = sentinel.cli("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME).split("\n");
                if (address.length == 2) {
                    return data.stream().filter(n -> Integer.toString(n.port()).equals(address[1].trim())).findFirst().orElseThrow();
                }
            }
        }
        throw new IllegalStateException("no sentinel names a master");
    }

    /** The other data node. */
    RedisNode replicaOf(RedisNode master) {
        return data.stream().filter(n -> n != master).findFirst().orElseThrow();
    }

    /** Waits until the master's writes so far are on the replica (so a failover loses none of them). */
    void awaitReplicated(RedisNode master) {
        String acknowledged = master.cli("WAIT", "1", "5000");
        if (!acknowledged.equals("1")) {
            throw new IllegalStateException("the replica did not catch up: " + acknowledged);
        }
    }

    /** Crashes a node. */
    void kill(RedisNode node) {
        node.kill();
    }

    /** Waits until every sentinel names {@code node} master and it acts as one. */
    void awaitPromoted(RedisNode node) {
        RedisNode.await(() -> "master".equals(node.info("replication", "role"))
                        && sentinels.stream().allMatch(s -> s.cli("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)
                        .endsWith(Integer.toString(node.port()))),
                node.address() + " was not promoted");
    }

    @Override
    public synchronized void stop() {
        sentinels.forEach(RedisNode::kill);
        data.forEach(RedisNode::kill);
        sentinels.clear();
        data.clear();
    }
}
