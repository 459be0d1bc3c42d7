package io.tidegate.plugins.limits;

import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * How {@link RedisCounters} reaches Redis: one server ({@code policy: redis}), the master a group
 * of sentinels names ({@code redis-sentinel}) or a cluster ({@code redis-cluster}). Each holds one
 * Lettuce client; a {@link Link} is one connection through it, which Lettuce reconnects by itself
 * (commands fail at once while it is down, never queue).
 */
abstract class RedisEndpoint implements AutoCloseable {
    /** A connection: its commands (scripts for sliding windows) and bucket4j's view of it (fixed windows). */
    interface Link {
        RedisClusterAsyncCommands<byte[], byte[]> commands();

        Bucket4jLettuce.LettuceBasedProxyManagerBuilder<byte[]> bucket4j();
    }

    static {
        // Lettuce's JFR events look classes up through the thread's context class loader, which in
        // a plugin is not the loader that holds Lettuce: the lookups fail or mix copies. The gateway
        // does not need them.
        if (System.getProperty("io.lettuce.core.jfr") == null) {
            System.setProperty("io.lettuce.core.jfr", "false");
        }
    }

    private final String name;

    private RedisEndpoint(String name) {
        this.name = name;
    }

    /** A new connection. */
    abstract CompletableFuture<Link> connect();

    /** A request failed on a connection that had been made (the cluster looks at its topology again). */
    void failed() {}

    abstract AbstractRedisClient client();

    /** What the log calls it: {@code 127.0.0.1:6379}, {@code cluster c1 (...)}, {@code master m1 (sentinels ...)}. */
    @Override
    public String toString() {
        return name;
    }

    @Override
    public void close() {
        client().shutdownAsync();
    }

    /** Client options of all three: reconnect, but refuse commands while disconnected; {@code timeout} per command. */
    private static <B extends ClientOptions.Builder> B common(B builder, Duration connectTimeout, Duration timeout) {
        builder.autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build());
        return builder;
    }

    private static RedisURI.Builder tls(RedisURI.Builder uri, boolean ssl, boolean verify) {
        if (ssl) {
            uri.withSsl(true).withVerifyPeer(verify);
        }
        return uri;
    }

    /** Credentials of a Redis server: none, a password ({@code AUTH password}) or an ACL user. */
    static RedisURI.Builder auth(RedisURI.Builder uri, String username, String password) {
        if (password != null && !password.isEmpty()) {
            if (username != null) {
                uri.withAuthentication(username, password);
            } else {
                uri.withPassword(password.toCharArray());
            }
        }
        return uri;
    }

    /** {@code policy: redis}: one server. */
    static RedisEndpoint server(String host, int port, String username, String password, int database, boolean ssl,
                                boolean sslVerify, Duration timeout) {
        RedisURI uri = tls(auth(RedisURI.builder().withHost(host).withPort(port), username, password), ssl, sslVerify)
                .withDatabase(database).withTimeout(timeout).build();
        RedisClient client = RedisClient.create();
        client.setOptions(common(ClientOptions.builder(), timeout, timeout).build());
        return new Standalone(host + ":" + port, client, () -> client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture());
    }

    /** A sentinel's address. */
    record Sentinel(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * {@code policy: redis-sentinel}: the master the sentinels name {@code masterName}, through a
     * Lettuce master/replica connection, which follows the sentinels' failover announcements to the
     * new master. Every command goes to the master (counting writes).
     */
    static RedisEndpoint sentinel(List<Sentinel> sentinels, String masterName, String username, String password, int database,
                                  String sentinelUsername, String sentinelPassword, Duration connectTimeout,
                                  Duration readTimeout) {
        RedisURI.Builder builder = auth(RedisURI.builder(), username, password)
                .withSentinelMasterId(masterName).withDatabase(database).withTimeout(readTimeout);
        for (Sentinel sentinel : sentinels) {
            builder.withSentinel(auth(RedisURI.builder().withHost(sentinel.host()).withPort(sentinel.port()), sentinelUsername,
                    sentinelPassword).withTimeout(connectTimeout).build());
        }
        RedisURI uri = builder.build();
        RedisClient client = RedisClient.create();
        client.setOptions(common(ClientOptions.builder(), connectTimeout, readTimeout).build());
        String name = "master " + masterName + " (sentinels " + sentinels.stream().map(Sentinel::toString).collect(Collectors.joining(", ")) + ")";
        return new Standalone(name, client, () -> MasterReplica
                .connectAsync(client, ByteArrayCodec.INSTANCE, uri)
                .thenApply(connection -> {
                    connection.setReadFrom(ReadFrom.UPSTREAM);
                    return connection;
                }));
    }

    /**
     * {@code policy: redis-cluster}: the nodes are where the client starts; it learns the rest of the
     * cluster from them and follows it as it changes: at once after a request failed (a master is
     * gone, its replica may have taken over), on Lettuce's own triggers (redirections, reconnects),
     * and every 30 s. One key's counts are one Redis key, so they always live in one slot.
     */
    static RedisEndpoint cluster(String clusterName, List<String> nodes, String password, boolean ssl, boolean sslVerify,
                                 Duration timeout) {
        List<RedisURI> seeds = new ArrayList<>();
        for (String node : nodes) {
            HostAndPort address = HostAndPort.parse(node);
            seeds.add(tls(auth(RedisURI.builder().withHost(address.host()).withPort(address.port()), null, password), ssl, sslVerify)
                    .withTimeout(timeout).build());
        }
        RedisClusterClient client = RedisClusterClient.create(seeds);
        client.setOptions(common(ClusterClientOptions.builder(), timeout, timeout)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(REFRESH_AT_MOST_EVERY)
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .dynamicRefreshSources(true)
                        .build())
                .build());
        return new Cluster("cluster " + clusterName + " (" + String.join(", ", nodes) + ")", client);
    }

    /** A node of {@code redis_cluster_nodes}: {@code host:port}, {@code [v6]:port}. */
    record HostAndPort(String host, int port) {
        static HostAndPort parse(String node) {
            int colon = node.lastIndexOf(':');
            if (colon <= 0 || colon == node.length() - 1) {
                throw new IllegalArgumentException("\"" + node + "\" is not host:port");
            }
            String host = node.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new IllegalArgumentException("\"" + node + "\" is not host:port (an IPv6 address goes in brackets)");
            }
            int port;
            try {
                port = Integer.parseInt(node.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = 0;
            }
            if (port < 1 || port > 65535 || host.isEmpty()) {
                throw new IllegalArgumentException("\"" + node + "\" is not host:port");
            }
            return new HostAndPort(host, port);
        }
    }

    /** A topology refresh at most this often, however many requests fail meanwhile. */
    private static final Duration REFRESH_AT_MOST_EVERY = Duration.ofSeconds(1);

    private interface Connector {
        CompletableFuture<? extends StatefulRedisConnection<byte[], byte[]>> connect();
    }

    /** One server or a sentinel-named master: a plain (or master/replica) connection. */
    private static final class Standalone extends RedisEndpoint {
        private final RedisClient client;
        private final Connector connector;

        Standalone(String name, RedisClient client, Connector connector) {
            super(name);
            this.client = client;
            this.connector = connector;
        }

        @Override
        CompletableFuture<Link> connect() {
            return connector.connect().thenApply(connection -> new Link() {
                @Override
                public RedisClusterAsyncCommands<byte[], byte[]> commands() {
                    return connection.async();
                }

                @Override
                public Bucket4jLettuce.LettuceBasedProxyManagerBuilder<byte[]> bucket4j() {
                    return Bucket4jLettuce.casBasedBuilder(connection);
                }
            });
        }

        @Override
        AbstractRedisClient client() {
            return client;
        }
    }

    private static final class Cluster extends RedisEndpoint {
        private final RedisClusterClient client;
        private final AtomicLong nextRefresh = new AtomicLong(System.nanoTime());

        Cluster(String name, RedisClusterClient client) {
            super(name);
            this.client = client;
        }

        @Override
        CompletableFuture<Link> connect() {
            // an asynchronous connect needs the topology first (a synchronous one would fetch it itself)
            return client.refreshPartitionsAsync().toCompletableFuture()
                    .thenCompose(loaded -> client.connectAsync(ByteArrayCodec.INSTANCE)).thenApply(connection -> new Link() {
                @Override
                public RedisClusterAsyncCommands<byte[], byte[]> commands() {
                    return connection.async();
                }

                @Override
                public Bucket4jLettuce.LettuceBasedProxyManagerBuilder<byte[]> bucket4j() {
                    return Bucket4jLettuce.casBasedBuilder(connection);
                }
            });
        }

        @Override
        void failed() {
            long now = System.nanoTime();
            long due = nextRefresh.get();
            if (now - due >= 0 && nextRefresh.compareAndSet(due, now + REFRESH_AT_MOST_EVERY.toNanos())) {
                client.refreshPartitionsAsync();
            }
        }

        @Override
        AbstractRedisClient client() {
            return client;
        }
    }
}
