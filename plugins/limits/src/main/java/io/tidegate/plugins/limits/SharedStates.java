package io.tidegate.plugins.limits;

import io.tidegate.plugin.api.PluginConfigException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * State a limit keeps across configuration versions (counters, buckets), held by the plugin and
 * shared by every instance with the same key: an owner's limit, or a group. Each instance
 * acquires on create and releases on close, so a reload (new instance created, then the old one
 * closed) keeps the state, and it goes away with its last user.
 */
final class SharedStates<T> {
    private record Shared<T>(T state, String limit, int holders) {}

    private final Map<String, Shared<T>> states = new HashMap<>();

    /**
     * @param key   the owner's or group's key
     * @param limit what the state was made for; a different limit under a non-group key replaces
     *              the state (a changed limit starts afresh, as in APISIX)
     * @param group whether the key is a group, whose users must all have the same limit
     */
    synchronized T acquire(String key, String limit, boolean group, Supplier<T> create) throws PluginConfigException {
        Shared<T> shared = states.get(key);
        if (shared != null && !shared.limit().equals(limit)) {
            if (group) {
                throw new PluginConfigException("group", "every use of a group must have the same limit settings");
            }
            shared = null;
        }
        T state = shared == null ? create.get() : shared.state();
        states.put(key, new Shared<>(state, limit, shared == null ? 1 : shared.holders() + 1));
        return state;
    }

    /** Returns the state when this was its last user (the caller may close it), else null. */
    synchronized T release(String key) {
        Shared<T> shared = states.get(key);
        if (shared == null) {
            return null;
        }
        if (shared.holders() <= 1) {
            states.remove(key);
            return shared.state();
        }
        states.put(key, new Shared<>(shared.state(), shared.limit(), shared.holders() - 1));
        return null;
    }
}
