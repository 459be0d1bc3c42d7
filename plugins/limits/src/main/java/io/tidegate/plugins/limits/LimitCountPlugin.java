package io.tidegate.plugins.limits;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import java.time.Duration;
import java.util.List;
import org.pf4j.Extension;

/**
 * APISIX's {@code limit-count} (priority 1002, access phase): {@code count} requests per
 * {@code time_window} seconds per key, in a fixed window (from a key's first request) or, with
 * {@code window_type: sliding}, a sliding one ({@link SlidingWindows}). Counters are shared state
 * of the gateway, keyed by owner and limit (or by {@code group}), so a reload of unrelated
 * configuration keeps them; changing the limit itself starts new counters, as APISIX does.
 * {@code policy: redis}, {@code redis-cluster} and {@code redis-sentinel} count in Redis, through
 * one client per Redis endpoint ({@link RedisEndpoint}).
 */
@Extension
public final class LimitCountPlugin implements GatewayPlugin<LimitCountPlugin.Settings> {
    /**
     * The configuration, as the schema describes it; the Redis fields are set (defaults filled)
     * with the policy that uses them.
     */
    public record Settings(int count, int timeWindow, String windowType, String group, String key, String keyType,
                           int rejectedCode, String rejectedMsg, String policy, boolean allowDegradation,
                           boolean showLimitQuotaHeader,
                           // redis (some also redis-cluster and redis-sentinel)
                           String redisHost, Integer redisPort, String redisUsername, String redisPassword,
                           Integer redisDatabase, Integer redisTimeout, Boolean redisSsl, Boolean redisSslVerify,
                           Integer redisKeepaliveTimeout, Integer redisKeepalivePool,
                           // redis-cluster
                           List<String> redisClusterNodes, String redisClusterName, Boolean redisClusterSsl,
                           Boolean redisClusterSslVerify,
                           // redis-sentinel
                           List<SentinelNode> redisSentinels, String redisMasterName, String redisRole,
                           Integer redisConnectTimeout, Integer redisReadTimeout, String sentinelUsername,
                           String sentinelPassword) {}

    /** An entry of {@code redis_sentinels}. */
    public record SentinelNode(String host, int port) {}

    /** What must match for two configurations to count against the same counters. */
    private record Limit(int count, int timeWindow, String keyType, String key, boolean sliding) {
        /** As it appears in Redis key names (unchanged since counters first went to Redis). */
        String description() {
            return count + "/" + timeWindow + "/" + keyType + ":" + key;
        }
    }

    /** Shared-state key of one owner's limit. */
    private record OwnLimit(String owner, Limit limit) {}

    /** Shared-state key of a group's counters. */
    private record Group(String name) {}

    /** The counters of one limit (an owner's, or a group's), with the limit they were made for. */
    private record Counters(Limit limit, AutoCloseable store, LimitCountInstance.Counter counter) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            store.close();
        }
    }

    /** Shared-state key of a Redis client: one per server and connection settings. */
    private record RedisAddress(String host, int port, String username, String password, int database, int timeoutMillis,
                                boolean ssl, boolean sslVerify) {
        @Override
        public String toString() {
            // shown when closing it fails; never the password
            return "redis " + host + ":" + port + "/" + database;
        }
    }

    /** Shared-state key of a Redis Cluster client. */
    private record ClusterAddress(String name, List<String> nodes, String password, int timeoutMillis, boolean ssl,
                                  boolean sslVerify) {
        @Override
        public String toString() {
            return "redis cluster " + name;
        }
    }

    /** Shared-state key of a client of a sentinel-named master. */
    private record SentinelAddress(List<RedisEndpoint.Sentinel> sentinels, String masterName, String username, String password,
                                   int database, String sentinelUsername, String sentinelPassword, int connectTimeoutMillis,
                                   int readTimeoutMillis) {
        @Override
        public String toString() {
            return "redis master " + masterName + "/" + database;
        }
    }

    @Override
    public String name() {
        return "limit-count";
    }

    @Override
    public int priority() {
        return 1002;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/limit-count.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        KeySource key = KeySource.of(config.keyType(), config.key(), services);
        LimitSettings.Rejection rejection = LimitSettings.Rejection.of(config.rejectedCode(), config.rejectedMsg());
        boolean sliding = config.windowType().equals("sliding");
        Limit limit = new Limit(config.count(), config.timeWindow(), config.keyType(), config.key(), sliding);
        if (!config.policy().equals("local")) {
            return new LimitCountInstance(redis(config, limit, services), config.count(), key, rejection,
                    config.showLimitQuotaHeader());
        }
        Object stateKey = config.group() != null ? new Group(config.group()) : new OwnLimit(services.owner(), limit);
        Counters counters = services.shared(stateKey, () -> {
            if (sliding) {
                SlidingWindows windows = new SlidingWindows(config.count(), config.timeWindow() * 1000L);
                return new Counters(limit, windows, new LimitCountInstance.LocalSlidingCounter(windows, config.count()));
            }
            CounterStore store = new CounterStore(config.count(), Duration.ofSeconds(config.timeWindow()));
            return new Counters(limit, store, new LimitCountInstance.LocalCounter(store));
        });
        if (!counters.limit().equals(limit)) {
            throw new PluginConfigException("group", "every use of a group must have the same limit settings");
        }
        return new LimitCountInstance(counters.counter(), config.count(), key, rejection, config.showLimitQuotaHeader());
    }

    /**
     * policy: redis, redis-cluster, redis-sentinel. One client per Redis endpoint, shared by every
     * limit that names it. Fixed windows keep the key names they always had; sliding ones have
     * their own (the two store different things).
     */
    private static LimitCountInstance.Counter redis(Settings config, Limit limit, PluginServices services)
            throws PluginConfigException {
        PluginLog log = services.log();
        RedisCounters redis = switch (config.policy()) {
            case "redis-cluster" -> cluster(config, services, log);
            case "redis-sentinel" -> sentinel(config, services, log);
            default -> {
                RedisAddress address = new RedisAddress(config.redisHost(), config.redisPort(), config.redisUsername(),
                        config.redisPassword(), config.redisDatabase(), config.redisTimeout(), config.redisSsl(),
                        config.redisSslVerify());
                yield services.shared(address, () -> new RedisCounters(RedisEndpoint.server(address.host(), address.port(),
                        address.username(), address.password(), address.database(), address.ssl(), address.sslVerify(),
                        Duration.ofMillis(address.timeoutMillis())), Duration.ofMillis(address.timeoutMillis()), log));
            }
        };
        String storeKey = config.group() != null ? "group:" + config.group() : services.owner() + "#" + limit.description();
        Duration window = Duration.ofSeconds(config.timeWindow());
        if (limit.sliding()) {
            return LimitCountInstance.RedisCounter.sliding(redis, "tidegate:limit-count:sliding:" + storeKey + ":", config.count(),
                    window, config.allowDegradation());
        }
        return LimitCountInstance.RedisCounter.fixed(redis, "tidegate:limit-count:" + storeKey + ":", config.count(), window,
                config.allowDegradation());
    }

    private static RedisCounters cluster(Settings config, PluginServices services, PluginLog log) throws PluginConfigException {
        List<String> nodes = config.redisClusterNodes();
        for (int i = 0; i < nodes.size(); i++) {
            try {
                RedisEndpoint.HostAndPort.parse(nodes.get(i));
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException("redis_cluster_nodes[" + i + "]", e.getMessage());
            }
        }
        ClusterAddress address = new ClusterAddress(config.redisClusterName(), List.copyOf(nodes), config.redisPassword(),
                config.redisTimeout(), config.redisClusterSsl(), config.redisClusterSslVerify());
        Duration timeout = Duration.ofMillis(address.timeoutMillis());
        return services.shared(address, () -> new RedisCounters(RedisEndpoint.cluster(address.name(), address.nodes(),
                address.password(), address.ssl(), address.sslVerify(), timeout), timeout, log));
    }

    private static RedisCounters sentinel(Settings config, PluginServices services, PluginLog log) throws PluginConfigException {
        if (!config.redisRole().equals("master")) {
            throw new PluginConfigException("redis_role", "only \"master\" is supported: counting writes, and replicas refuse writes");
        }
        List<RedisEndpoint.Sentinel> sentinels = config.redisSentinels().stream()
                .map(s -> new RedisEndpoint.Sentinel(s.host(), s.port())).toList();
        SentinelAddress address = new SentinelAddress(sentinels, config.redisMasterName(), config.redisUsername(),
                config.redisPassword(), config.redisDatabase(), config.sentinelUsername(), config.sentinelPassword(),
                config.redisConnectTimeout(), config.redisReadTimeout());
        Duration connect = Duration.ofMillis(address.connectTimeoutMillis());
        Duration read = Duration.ofMillis(address.readTimeoutMillis());
        // a request may have to find the master and connect, then wait for its answer
        return services.shared(address, () -> new RedisCounters(RedisEndpoint.sentinel(address.sentinels(), address.masterName(),
                address.username(), address.password(), address.database(), address.sentinelUsername(),
                address.sentinelPassword(), connect, read), connect.plus(read), log));
    }
}
