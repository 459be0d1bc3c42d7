package io.tidegate.plugins.limits;

import io.tidegate.testing.LocalProcess;
import io.tidegate.testing.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis Cluster for tests: three masters and a replica of each, six {@code redis-server}
 * processes on free loopback ports, made a cluster by {@code redis-cli --cluster create}. A node
 * not heard of for {@code cluster-node-timeout} (1 s) counts as failed and its replica takes over
 * (whatever its replication lag, so a test never waits on chance). Registered as a JUnit
 * extension it runs for a test class; {@link #kill} crashes one node.
 */
final class RedisCluster extends LocalProcess {
    private final List<RedisNode> nodes = new ArrayList<>();

    @Override
    public synchronized void start() {
        if (!nodes.isEmpty()) {
            throw new IllegalStateException("the cluster is running");
        }
        Path dir = TempDirs.create("tidegate-redis-cluster");
        List<Integer> ports = RedisNode.freePorts(12);
        for (int i = 0; i < 6; i++) {
            List<String> options = new ArrayList<>(List.of("--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes-" + i + ".conf",
                    "--cluster-node-timeout", "1000",
                    // the cluster bus on a free port of its own (not port + 10000, which may be taken or > 65535)
                    "--cluster-port", Integer.toString(ports.get(6 + i)),
                    // a replica may take over however long it has been cut off; none waits 5 s to sync
                    "--cluster-replica-validity-factor", "0",
                    "--repl-diskless-sync-delay", "0"));
            options.addAll(RedisNode.NO_PERSISTENCE);
            nodes.add(new RedisNode("node-" + i, ports.get(i), folder(dir, "node-" + i), options, null));
        }
        nodes.forEach(RedisNode::start);
        List<String> create = new ArrayList<>(List.of("--cluster", "create"));
        create.addAll(addresses());
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        String created = nodes.get(0).cli(create.toArray(String[]::new));
        if (!created.contains("All 16384 slots covered")) {
            throw new IllegalStateException("redis-cli --cluster create failed:\n" + created);
        }
        RedisNode.await(this::healthy, "the Redis Cluster did not become ready (3 masters, 3 replicas in sync)");
    }

    /** A folder per node: a replica writes what it receives from its master there. */
    private static Path folder(Path dir, String name) {
        try {
            return Files.createDirectories(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every running node sees the cluster ok; each master has its replica, in sync. */
    private boolean healthy() {
        int replicas = 0;
        for (RedisNode node : running()) {
            if (!node.cli("CLUSTER", "INFO").contains("cluster_state:ok")) {
                return false;
            }
            if ("slave".equals(node.info("replication", "role"))) {
                if (!"up".equals(node.info("replication", "master_link_status"))) {
                    return false;
                }
                replicas++;
            }
        }
        return replicas == 3;
    }

    /** Every node as {@code 127.0.0.1:port}: what {@code redis_cluster_nodes} lists. */
    List<String> addresses() {
        return nodes.stream().map(RedisNode::address).toList();
    }

    private List<RedisNode> running() {
        return nodes.stream().filter(RedisNode::running).toList();
    }

    /** The running master that holds a key matching {@code pattern} (a KEYS pattern). */
    RedisNode masterHolding(String pattern) {
        for (RedisNode node : running()) {
            if ("master".equals(node.info("replication", "role")) && !node.cli("KEYS", pattern).isEmpty()) {
                return node;
            }
        }
        throw new IllegalStateException("no master holds a key like " + pattern);
    }

    /** The node replicating {@code master}. */
    RedisNode replicaOf(RedisNode master) {
        for (RedisNode node : running()) {
            if (node != master && Integer.toString(master.port()).equals(node.info("replication", "master_port"))) {
                return node;
            }
        }
        throw new IllegalStateException("no replica of " + master.address());
    }

    /** Waits until the master's writes so far are on its replica (so a failover loses none of them). */
    void awaitReplicated(RedisNode master) {
        String acknowledged = master.cli("WAIT", "1", "5000");
        if (!acknowledged.equals("1")) {
            throw new IllegalStateException("the replica of " + master.address() + " did not catch up: " + acknowledged);
        }
    }

    /** Crashes a node. */
    void kill(RedisNode node) {
        node.kill();
    }

    /** Waits until {@code node} is a master and every running node sees the cluster ok again. */
    void awaitPromoted(RedisNode node) {
        RedisNode.await(() -> "master".equals(node.info("replication", "role"))
                        && running().stream().allMatch(n -> n.cli("CLUSTER", "INFO").contains("cluster_state:ok")),
                node.address() + " did not take over");
    }

    @Override
    public synchronized void stop() {
        nodes.forEach(RedisNode::kill);
        nodes.clear();
    }
}
