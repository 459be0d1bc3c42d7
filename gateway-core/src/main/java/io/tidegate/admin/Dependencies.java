package io.tidegate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.config.ConfigLoader;
import io.tidegate.source.EtcdStore;
import io.tidegate.source.EtcdStore.Expectation;
import io.tidegate.source.KeyedResources;
import io.tidegate.source.WatchedKeys;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the check of one write reads from etcd besides the written value, and nothing more: the
 * resources the value refers to (an upstream, service or plugin config; a service's own upstream
 * too, since a service whose upstream is missing is itself invalid) and, when a plugin could look
 * consumers up while it compiles (jwt-auth's {@code anonymous_consumer}, an authentication
 * plugin's credentials) or the write is a consumer's (credentials must be unique), the consumers.
 * So a route write with 10,000 routes stored reads two keys, not 10,000. Everything read becomes
 * a condition of the commit.
 *
 * <p>Reads are few round trips: the key is read together with what the request body refers to,
 * which for a PUT is all there is to read; what only the stored value (a PATCH) or a service
 * read on the way names takes one more.
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
    private final WatchedKeys watched;
    private final KeyedResources keys;

    Dependencies(EtcdStore store, WatchedKeys watched, KeyedResources keys) {
        this.store = store;
        this.watched = watched;
        this.keys = keys;
    }

    /**
     * Begins an attempt at writing under {@code key}: reads the key and what {@code body} (the
     * request's value, or null) refers to, in one round trip, or none when {@code fromWatch} and
     * the watch is in step with etcd: then all is read from what it delivered.
     */
    Attempt begin(String type, String key, JsonNode body, boolean fromWatch) {
        Attempt attempt = new Attempt(type, key, fromWatch ? watched.view() : null);
        List<String> wanted = new ArrayList<>();
        wanted.add(key);
        if (body != null) {
            wanted.addAll(References.referredKeys(type, body, keys));
        }
        attempt.fetch(wanted, type.equals("consumers") || body != null && hasPlugins(body));
        return attempt;
    }

    /** One attempt's reads, as they were at the revisions read. */
    final class Attempt {
        private final String type;
        private final String key;
        /** Keys read; an absent one maps to null. */
        private final Map<String, EtcdStore.Entry> entries = new HashMap<>();
        private EtcdStore.Listing consumers;
        /** What the watch delivered, read instead of etcd; null: read etcd. */
        private final WatchedKeys.View view;

        private Attempt(String type, String key, WatchedKeys.View view) {
            this.type = type;
            this.key = key;
            this.view = view;
        }

        /** Whether this attempt reads what the watch delivered rather than etcd. */
        boolean fromWatch() {
            return view != null;
        }

        /** The written key as read; null when it does not exist. */
        EtcdStore.Entry existing() {
            return entries.get(key);
        }

        /** Reads whatever else the check of {@code value} depends on, and returns all it depends on. */
        Read complete(JsonNode value) {
            while (true) {
                Set<String> needed = new LinkedHashSet<>();
                List<String> missing = new ArrayList<>();
                boolean plugins = type.equals("consumers") || hasPlugins(value);
                Deque<String> referred = new ArrayDeque<>(References.referredKeys(type, value, keys));
                while (!referred.isEmpty()) {
                    String next = referred.poll();
                    if (next.equals(key) || !needed.add(next)) {
                        continue;
                    }
                    if (!entries.containsKey(next)) {
                        missing.add(next);
                        continue;
                    }
                    EtcdStore.Entry entry = entries.get(next);
                    JsonNode read = entry == null ? null : parse(entry.value());
                    KeyedResources.Place place = keys.place(next);
                    if (read != null && place != null) {
                        plugins |= hasPlugins(read);
                        referred.addAll(References.referredKeys(place.type(), read, keys));
                    }
                }
                boolean needConsumers = plugins && consumers == null;
                if (missing.isEmpty() && !needConsumers) {
                    return read(needed);
                }
                fetch(missing, needConsumers);
            }
        }

        private void fetch(List<String> wanted, boolean withConsumers) {
            String folder = keys.key("consumers", "");
            if (view != null) {
                wanted.forEach(k -> entries.put(k, view.entry(k)));
                if (withConsumers) {
                    // every consumer written up to the view's revision is in it: the commit holds from there
                    consumers = new EtcdStore.Listing(view.under(folder), view.revision());
                }
                return;
            }
            EtcdStore.Listing listing = store.read(wanted, withConsumers ? List.of(folder) : List.of());
            wanted.forEach(k -> entries.put(k, null));
            for (EtcdStore.Entry entry : listing.entries()) {
                if (wanted.contains(entry.key())) {
                    entries.put(entry.key(), entry);
                }
            }
            if (withConsumers) {
                consumers = new EtcdStore.Listing(listing.entries().stream().filter(e -> e.key().startsWith(folder)).toList(),
                        listing.revision());
            }
        }

        private Read read(Set<String> needed) {
            Map<String, String> values = new LinkedHashMap<>();
            List<Expectation> held = new ArrayList<>();
            // the key as read: 201 versus 200, create_time, and for PATCH the value the edit applied to
            held.add(Expectation.unchanged(key, existing() == null ? 0 : existing().modRevision()));
            for (String dependency : needed) {
                EtcdStore.Entry entry = entries.get(dependency);
                held.add(Expectation.unchanged(dependency, entry == null ? 0 : entry.modRevision()));
                if (entry != null) {
                    values.put(dependency, entry.value());
                }
            }
            if (consumers != null) {
                consumers.entries().forEach(entry -> values.putIfAbsent(entry.key(), entry.value()));
                if (type.equals("consumers")) {
                    // credentials (a key-auth key, say) must be unique among all consumers
                    held.add(Expectation.nothingWrittenUnder(keys.key("consumers", ""), consumers.revision()));
                }
            }
            return new Read(values, held);
        }
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
