package io.tidegate.plugins.limits;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import java.time.Duration;
import org.pf4j.Extension;

/**
 * APISIX's {@code limit-count} (priority 1002, access phase), local policy: {@code count} requests
 * per {@code time_window} seconds per key. Counters are shared state of the gateway, keyed by owner
 * and limit (or by {@code group}), so a reload of unrelated configuration keeps them; changing the
 * limit itself starts new counters, as APISIX does. {@code policy: redis} counts in Redis, through
 * one client per Redis address.
 */
@Extension
public final class LimitCountPlugin implements GatewayPlugin<LimitCountPlugin.Settings> {
    /**
     * The configuration, as the schema describes it; the {@code redis_*} fields are set (defaults
     * filled) only with {@code policy: redis}.
     */
    public record Settings(int count, int timeWindow, String group, String key, String keyType, int rejectedCode,
                           String rejectedMsg, String policy, boolean allowDegradation, boolean showLimitQuotaHeader,
                           String redisHost, Integer redisPort, String redisPassword, Integer redisDatabase,
                           Integer redisTimeout) {}

    /** What must match for two configurations to count against the same counters. */
    private record Limit(int count, int timeWindow, String keyType, String key) {
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
    private record Counters(Limit limit, CounterStore store) implements AutoCloseable {
        @Override
        public void close() {
            store.close();
        }
    }

    /** Shared-state key of a Redis client: one per server and connection settings. */
    private record RedisAddress(String host, int port, String password, int database, int timeoutMillis) {
        @Override
        public String toString() {
            // shown when closing it fails; never the password
            return "redis " + host + ":" + port + "/" + database;
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
        Limit limit = new Limit(config.count(), config.timeWindow(), config.keyType(), config.key());
        if (config.policy().equals("redis")) {
            return redis(config, limit, key, rejection, services);
        }
        Object stateKey = config.group() != null ? new Group(config.group()) : new OwnLimit(services.owner(), limit);
        Counters counters = services.shared(stateKey,
                () -> new Counters(limit, new CounterStore(config.count(), Duration.ofSeconds(config.timeWindow()))));
        if (!counters.limit().equals(limit)) {
            throw new PluginConfigException("group", "every use of a group must have the same limit settings");
        }
        return new LimitCountInstance(new LimitCountInstance.LocalCounter(counters.store()), config.count(), key, rejection,
                config.showLimitQuotaHeader());
    }

    /** policy: redis. One client per Redis address, shared by every limit that names it. */
    private static PluginInstance redis(Settings config, Limit limit, KeySource key, LimitSettings.Rejection rejection,
                                        PluginServices services) {
        RedisAddress address = new RedisAddress(config.redisHost(), config.redisPort(), config.redisPassword(),
                config.redisDatabase(), config.redisTimeout());
        PluginLog log = services.log();
        RedisCounters redis = services.shared(address, () -> new RedisCounters(address.host(), address.port(),
                address.password(), address.database(), Duration.ofMillis(address.timeoutMillis()), log));
        String storeKey = config.group() != null ? "group:" + config.group() : services.owner() + "#" + limit.description();
        LimitCountInstance.Counter counter = new LimitCountInstance.RedisCounter(redis, "tidegate:limit-count:" + storeKey + ":",
                config.count(), Duration.ofSeconds(config.timeWindow()), config.allowDegradation());
        return new LimitCountInstance(counter, config.count(), key, rejection, config.showLimitQuotaHeader());
    }
}
