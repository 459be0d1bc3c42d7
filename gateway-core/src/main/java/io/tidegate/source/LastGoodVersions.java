package io.tidegate.source;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.Unservable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Decides which version of each etcd key serves, so that a bad value never opens a hole. Every key
 * remembers its last good value: the last one that applied. When its current value fails (it does
 * not parse or validate, a plugin rejects its config, it does not compile) the last good value
 * serves instead. A route left with no good version keeps its matching fields and answers 503 to
 * what it matches, so its requests never fall through to a broader route, say a {@code /*} one
 * without authentication; a route whose matching fields cannot be read either is left out: it
 * never served, so nothing falls through that did not before. Used on the etcd source's thread only.
 */
final class LastGoodVersions {
    /** What a route matches requests by: all that its placeholder keeps. */
    private static final List<String> MATCHING_FIELDS = List.of("uri", "uris", "host", "hosts", "methods", "priority",
            "remote_addr", "remote_addrs", "vars", "status");

    /** The versions a key can serve, best first. */
    enum Kind { CURRENT, LAST_GOOD, MATCH_ONLY }

    private final KeyedResources keyed;
    private final Map<String, String> lastGood = new HashMap<>();

    LastGoodVersions(KeyedResources keyed) {
        this.keyed = keyed;
    }

    /** A choice for {@code values} (key to JSON text): each key's current value to begin with. */
    Choice choose(SortedMap<String, String> values) {
        Map<String, Ladder> keys = new LinkedHashMap<>();
        values.forEach((key, text) -> {
            KeyedResources.Place place = keyed.place(key);
            if (place != null) {
                keys.put(key, ladder(key, place, text, lastGood.get(key)));
            }
        });
        return new Choice(keys);
    }

    /** {@code choice} applied: the current values it used are their keys' last good ones now. */
    void applied(Choice choice) {
        lastGood.keySet().retainAll(choice.keys.keySet());
        choice.keys.forEach((key, ladder) -> {
            if (ladder.serving() == Kind.CURRENT) {
                lastGood.put(key, ladder.currentText);
            }
        });
    }

    private Ladder ladder(String key, KeyedResources.Place place, String current, String good) {
        Ladder ladder = new Ladder(key, place, current, good != null);
        KeyedResources.Parsed now = keyed.parse(place, current);
        ladder.offer(Kind.CURRENT, now);
        KeyedResources.Parsed before = good == null || good.equals(current) ? null : keyed.parse(place, good);
        if (before != null) {
            ladder.offer(Kind.LAST_GOOD, before);
        }
        if (place.type().equals("routes")) {
            // what the route is meant to match now, else what it matched when it last served
            for (KeyedResources.Parsed parsed : before == null ? List.of(now) : List.of(now, before)) {
                if (parsed.value() != null) {
                    ladder.offer(Kind.MATCH_ONLY, new KeyedResources.Parsed(matchOnly(place, parsed.value()), null));
                }
            }
        }
        return ladder;
    }

    private static ObjectNode matchOnly(KeyedResources.Place place, ObjectNode value) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("id", place.id());
        for (String field : MATCHING_FIELDS) {
            if (value.has(field)) {
                out.set(field, value.get(field));
            }
        }
        out.putObject("plugins");  // a route must name something to do; a placeholder's plan ignores it
        return out;
    }

    /** The versions of one key, best first, the one serving now, and why those above it failed. */
    static final class Ladder {
        final String key;
        final KeyedResources.Place place;
        final String currentText;
        final boolean hasLastGood;
        private final List<Kind> kinds = new ArrayList<>();
        private final List<ObjectNode> values = new ArrayList<>();
        private final Map<Kind, List<String>> errors = new EnumMap<>(Kind.class);
        private int index;

        private Ladder(String key, KeyedResources.Place place, String currentText, boolean hasLastGood) {
            this.key = key;
            this.place = place;
            this.currentText = currentText;
            this.hasLastGood = hasLastGood;
        }

        private void offer(Kind kind, KeyedResources.Parsed parsed) {
            if (parsed.problem() != null) {
                errors.putIfAbsent(kind, List.of(parsed.problem()));
            } else if (!values.contains(parsed.value())) {
                kinds.add(kind);
                values.add(parsed.value());
            }
        }

        /** The kind of version serving, or null when none can. */
        Kind serving() {
            return index < kinds.size() ? kinds.get(index) : null;
        }

        ObjectNode value() {
            return values.get(index);
        }

        /** Why the current value failed; null when it did not. */
        List<String> currentErrors() {
            return errors.get(Kind.CURRENT);
        }

        /** Why the last good value failed (null when it did not, or is the current one). */
        List<String> lastGoodErrors() {
            return errors.get(Kind.LAST_GOOD);
        }

        private void fail(List<String> why) {
            errors.putIfAbsent(kinds.get(index), List.copyOf(why));
            index++;
        }
    }

    /** One choice of a version per key, moved down key by key as versions fail. */
    final class Choice {
        private final Map<String, Ladder> keys;

        private Choice(Map<String, Ladder> keys) {
            this.keys = keys;
        }

        /**
         * Reads the chosen versions, moving each key that fails to read to its next version until all
         * read. Errors left in the result name no key: the whole version is unusable.
         */
        KeyedResources.Result read() {
            while (true) {
                Map<String, ObjectNode> chosen = new LinkedHashMap<>();
                Set<String> placeholders = new HashSet<>();
                Set<String> brokenGlobalRules = new HashSet<>();
                keys.forEach((key, ladder) -> {
                    Kind kind = ladder.serving();
                    if (kind == null) {
                        if (ladder.place.type().equals("global_rules")) {
                            brokenGlobalRules.add(ladder.place.id());
                        }
                        return;
                    }
                    chosen.put(key, ladder.value());
                    if (kind == Kind.MATCH_ONLY) {
                        placeholders.add(ladder.place.id());
                    }
                });
                KeyedResources.Result result = keyed.readEach(chosen, new Unservable(placeholders, brokenGlobalRules));
                Map<String, List<String>> failed = new LinkedHashMap<>(result.rejected());
                failed.remove(KeyedResources.NO_KEY);
                if (!demote(failed)) {
                    return result;
                }
            }
        }

        /** Moves each key named to its next version; false when no key was named. */
        boolean demote(Map<String, List<String>> errorsByKey) {
            boolean moved = false;
            for (Map.Entry<String, List<String>> failed : errorsByKey.entrySet()) {
                Ladder ladder = keys.get(failed.getKey());
                if (ladder != null && ladder.serving() != null) {
                    ladder.fail(failed.getValue());
                    moved = true;
                }
            }
            return moved;
        }

        /** Every key, with the version it serves and why better ones failed. */
        Iterable<Ladder> ladders() {
            return keys.values();
        }
    }
}
