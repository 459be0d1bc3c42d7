package io.tidegate.plugins.limits;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigFields;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.time.Duration;
import java.util.Set;
import org.pf4j.Extension;

/**
 * APISIX's {@code limit-count} (priority 1002, access phase), local policy: {@code count} requests
 * per {@code time_window} seconds per key. Counters live with the plugin, keyed by owner and
 * limit (or by {@code group}), so a reload of unrelated configuration keeps them; changing the
 * limit itself starts new counters, as APISIX does.
 */
@Extension
public final class LimitCountPlugin implements GatewayPlugin {
    private static final Set<String> FIELDS = Set.of("count", "time_window", "key_type", "key", "rejected_code",
            "rejected_msg", "policy", "show_limit_quota_header", "group", "allow_degradation", "redis_host",
            "redis_port", "redis_password", "redis_database", "redis_timeout", "redis_cluster_nodes",
            "redis_cluster_name");
    private static final Set<String> KEY_TYPES = Set.of("var", "var_combination", "constant");

    /** Counter stores in use, shared across configuration versions. */
    private final SharedStates<CounterStore> stores = new SharedStates<>();
    /** Redis clients in use, one per address. */
    private final SharedStates<RedisCounters> clients = new SharedStates<>();

    @Override
    public String name() {
        return "limit-count";
    }

    @Override
    public int priority() {
        return 1002;
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        ConfigFields.requireOnly(config, FIELDS);
        int count = LimitSettings.positiveInt(config, "count");
        int window = LimitSettings.positiveInt(config, "time_window");
        KeySource key = LimitSettings.key(config, KEY_TYPES);
        LimitSettings.Rejection rejection = LimitSettings.Rejection.of(config);
        String policy = config.path("policy").asText("local");
        if (!policy.equals("local") && !policy.equals("redis")) {
            throw new PluginConfigException("policy", policy.equals("redis-cluster")
                    ? "redis-cluster is not supported yet (supported: local, redis)" : "must be one of local, redis, redis-cluster");
        }
        JsonNode group = config.get("group");
        if (group != null && (!group.isTextual() || group.textValue().isEmpty())) {
            throw new PluginConfigException("group", "must be a non-empty string");
        }
        // what must match for two routes to share a group's counters
        String limit = count + "/" + window + "/" + LimitSettings.keyDescription(config);
        String storeKey = group != null ? "group:" + group.textValue() : services.owner() + "#" + limit;
        boolean quotaHeaders = config.path("show_limit_quota_header").asBoolean(true);
        if (policy.equals("redis")) {
            return redis(config, storeKey, limit, count, window, key, rejection, quotaHeaders);
        }
        CounterStore store = stores.acquire(storeKey, limit, group != null, () -> new CounterStore(count, Duration.ofSeconds(window)));
        return new LimitCountInstance(new LimitCountInstance.LocalCounter(store), () -> stores.release(storeKey), count, key,
                rejection, quotaHeaders);
    }

    /** policy: redis. One client per Redis address, shared by every limit that names it. */
    private PluginInstance redis(JsonNode config, String storeKey, String limit, int count, int window, KeySource key,
                                 LimitSettings.Rejection rejection, boolean quotaHeaders) throws PluginConfigException {
        JsonNode host = config.get("redis_host");
        if (host == null || !host.isTextual() || host.textValue().isEmpty()) {
            throw new PluginConfigException("redis_host", "is required when policy is redis");
        }
        int port = config.path("redis_port").asInt(6379);
        if (port < 1 || port > 65535) {
            throw new PluginConfigException("redis_port", "must be 1-65535");
        }
        int database = config.path("redis_database").asInt(0);
        long timeoutMillis = config.path("redis_timeout").asLong(1000);
        if (timeoutMillis < 1) {
            throw new PluginConfigException("redis_timeout", "must be >= 1 (milliseconds)");
        }
        String password = config.hasNonNull("redis_password") ? config.get("redis_password").asText() : null;
        String address = host.textValue() + ":" + port + "/" + database + "/" + timeoutMillis + "/"
                + (password == null ? "" : Integer.toHexString(password.hashCode()));
        RedisCounters redis = clients.acquire(address, address, false,
                () -> new RedisCounters(host.textValue(), port, password, database, Duration.ofMillis(timeoutMillis)));
        LimitCountInstance.Counter counter = new LimitCountInstance.RedisCounter(redis, "tidegate:limit-count:" + storeKey + ":",
                count, Duration.ofSeconds(window), config.path("allow_degradation").asBoolean(false));
        return new LimitCountInstance(counter, () -> {
            RedisCounters last = clients.release(address);
            if (last != null) {
                last.close();
            }
        }, count, key, rejection, quotaHeaders);
    }
}
