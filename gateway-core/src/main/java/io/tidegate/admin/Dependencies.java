package io.tidegate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.config.ConfigLoader;
import io.tidegate.source.EtcdStore;
import io.tidegate.source.EtcdStore.Expectation;
import io.tidegate.source.KeyedResources;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the check of one write reads from etcd besides the written value, and nothing more: the
 * resources the value refers to (an upstream, service or plugin config; a service's own upstream
 * too, since a service whose upstream is missing is itself invalid) and, when a plugin could look
 * consumers up while it compiles (jwt-auth's {@code anonymous_consumer}, an authentication
 * plugin's credentials) or the write is a consumer's (credentials must be unique), the consumers.
 * So a route write with 10,000 routes stored reads two keys, not 10,000. Everything read becomes
 * a condition of the commit.
 */
final class Dependencies {
    /**
     * What a check read: values by key (in the order the check must see them) and what must still
     * hold when the write commits.
     */
    record Read(Map<String, String> values, List<Expectation> held) {
        /** The values read with the written one added last (so a duplicate credential is the write's error). */
        Map<String, String> with(String key, String text) {
            Map<String, String> all = new LinkedHashMap<>(values);
            all.remove(key);
            all.put(key, text);
            return all;
        }
    }

    private final EtcdStore store;
    private final KeyedResources keys;

    Dependencies(EtcdStore store, KeyedResources keys) {
        this.store = store;
        this.keys = keys;
    }

    /**
     * Reads what the check of {@code value}, to be written under {@code key} (whose entry, as read,
     * is {@code existing}: null when absent), depends on.
     */
    Read read(String type, String key, EtcdStore.Entry existing, JsonNode value) {
        Map<String, String> values = new LinkedHashMap<>();
        List<Expectation> held = new ArrayList<>();
        // the key as read: 201 versus 200, create_time, and for PATCH the value the edit applied to
        held.add(Expectation.unchanged(key, existing == null ? 0 : existing.modRevision()));
        boolean plugins = hasPlugins(value);
        Deque<String> referred = new ArrayDeque<>(References.referredKeys(type, value, keys));
        while (!referred.isEmpty()) {
            String next = referred.poll();
            if (values.containsKey(next) || next.equals(key)) {
                continue;
            }
            EtcdStore.Entry entry = store.get(next);
            held.add(Expectation.unchanged(next, entry == null ? 0 : entry.modRevision()));
            if (entry == null) {
                continue;  // the check says that it does not exist
            }
            values.put(next, entry.value());
            JsonNode read = parse(entry.value());
            KeyedResources.Place place = keys.place(next);
            if (read != null && place != null) {
                plugins |= hasPlugins(read);
                referred.addAll(References.referredKeys(place.type(), read, keys));
            }
        }
        if (type.equals("consumers") || plugins) {
            EtcdStore.Listing consumers = store.list(keys.key("consumers", ""));
            consumers.entries().forEach(entry -> values.putIfAbsent(entry.key(), entry.value()));
            if (type.equals("consumers")) {
                // credentials (a key-auth key, say) must be unique among all consumers
                held.add(Expectation.nothingWrittenUnder(keys.key("consumers", ""), consumers.revision()));
            }
        }
        return new Read(values, held);
    }

    private static boolean hasPlugins(JsonNode value) {
        JsonNode plugins = value.get("plugins");
        return plugins != null && plugins.isObject() && !plugins.isEmpty();
    }

    private static JsonNode parse(String text) {
        try {
            return ConfigLoader.parseJson(text);
        } catch (JsonProcessingException e) {
            return null;  // the check rejects it, and with it the write that refers to it
        }
    }
}
