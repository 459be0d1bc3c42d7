package io.tidegate.plugins.limitcount;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
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

    /** Counter stores in use, with how many instances hold each; shared across configuration versions. */
    private final Map<String, Shared> stores = new HashMap<>();

    private record Shared(CounterStore store, String limit, int holders) {}

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
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new PluginConfigException(field, "unknown field");
            }
        }
        int count = positive(config, "count");
        int window = positive(config, "time_window");
        String keyType = config.path("key_type").asText("var");
        if (!KEY_TYPES.contains(keyType)) {
            throw new PluginConfigException("key_type", "must be one of var, var_combination, constant");
        }
        String key = config.path("key").asText("remote_addr");
        if (key.isEmpty()) {
            throw new PluginConfigException("key", "must not be empty");
        }
        int rejectedCode = config.path("rejected_code").asInt(503);
        if (!config.path("rejected_code").isMissingNode() && (!config.get("rejected_code").isInt() || rejectedCode < 200 || rejectedCode > 599)) {
            throw new PluginConfigException("rejected_code", "must be an integer between 200 and 599");
        }
        JsonNode message = config.get("rejected_msg");
        if (message != null && (!message.isTextual() || message.textValue().isEmpty())) {
            throw new PluginConfigException("rejected_msg", "must be a non-empty string");
        }
        String policy = config.path("policy").asText("local");
        if (!policy.equals("local")) {
            throw new PluginConfigException("policy", policy.startsWith("redis")
                    ? policy + " is not supported yet (supported: local)" : "must be one of local, redis, redis-cluster");
        }
        JsonNode group = config.get("group");
        if (group != null && (!group.isTextual() || group.textValue().isEmpty())) {
            throw new PluginConfigException("group", "must be a non-empty string");
        }
        // what must match for two routes to share a group's counters
        String limit = count + "/" + window + "/" + keyType + "/" + key;
        String storeKey = group != null ? "group:" + group.textValue() : services.owner() + "#" + limit;
        CounterStore store = acquire(storeKey, limit, count, window, group != null);
        return new LimitCountInstance(store, () -> release(storeKey), count, KeySource.of(keyType, key), rejectedCode,
                message == null ? null : message.textValue(), config.path("show_limit_quota_header").asBoolean(true));
    }

    private synchronized CounterStore acquire(String storeKey, String limit, int count, int window, boolean group)
            throws PluginConfigException {
        Shared shared = stores.get(storeKey);
        if (shared != null && !shared.limit().equals(limit)) {
            if (group) {
                throw new PluginConfigException("group", "every use of a group must have the same count, time_window, key_type and key");
            }
            shared = null;
        }
        if (shared == null) {
            shared = new Shared(new CounterStore(count, Duration.ofSeconds(window)), limit, 0);
        }
        stores.put(storeKey, new Shared(shared.store(), limit, shared.holders() + 1));
        return shared.store();
    }

    private synchronized void release(String storeKey) {
        Shared shared = stores.get(storeKey);
        if (shared != null) {
            if (shared.holders() <= 1) {
                stores.remove(storeKey);
            } else {
                stores.put(storeKey, new Shared(shared.store(), shared.limit(), shared.holders() - 1));
            }
        }
    }

    private static int positive(JsonNode config, String field) throws PluginConfigException {
        JsonNode value = config.get(field);
        if (value == null) {
            throw new PluginConfigException(field, "is required");
        }
        if (!value.isInt() || value.intValue() <= 0) {
            throw new PluginConfigException(field, "must be > 0");
        }
        return value.intValue();
    }
}
