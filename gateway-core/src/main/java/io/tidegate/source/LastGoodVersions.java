package io.tidegate.source;

import io.tidegate.config.Unservable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides which version of each etcd key serves, so that a bad value never opens a hole. Every key
 * remembers its last good value: the last one that applied. When its current value fails (it does
 * not parse or validate, a plugin rejects its config, it does not compile) the last good value
 * serves instead. A route left with no good version keeps its matching fields and answers 503 to
 * what it matches, so its requests never fall through to a broader route, say a {@code /*} one
 * without authentication; a route whose matching fields cannot be read either is left out: it
 * never served, so nothing falls through that did not before. Values are parsed and read once per
 * text ({@link ValueReadings}). Used on the etcd source's thread only.
 */
final class LastGoodVersions {
    /** The versions a key can serve, best first. */
    enum Kind { CURRENT, LAST_GOOD, MATCH_ONLY }

    private final KeyedResources keyed;
    private final ValueReadings readings;
    /** Every resource key's versions, in key order (the order of the resource lists). */
    private final TreeMap<String, Ladder> ladders = new TreeMap<>();
    private final Map<String, String> lastGood = new HashMap<>();
    /**
     * Keys whose versions changed, or that did not serve their current value, since a choice last
     * applied: only these can change what is last good. A change touches a few keys of thousands,
     * and looking at every key on every change was a fifth of the etcd thread's time.
     */
    private final Set<String> unsettled = new HashSet<>();
    /** Keys moved down in the last choice, to try from their best version again in the next. */
    private final Set<String> movedDown = new HashSet<>();

    LastGoodVersions(KeyedResources keyed) {
        this.keyed = keyed;
        this.readings = new ValueReadings(keyed);
    }

    /** The keys are exactly {@code values} (key to JSON text) now: a fresh listing. Last good values of keys still there stay. */
    void reset(Map<String, String> values) {
        for (String key : List.copyOf(ladders.keySet())) {
            if (!values.containsKey(key)) {
                remove(key);
            }
        }
        values.forEach(this::put);
    }

    /** A key's current value is {@code text}. */
    void put(String key, String text) {
        KeyedResources.Place place = keyed.place(key);
        if (place == null) {
            return;  // APISIX keeps keys of other kinds under the prefix
        }
        Ladder before = ladders.get(key);
        if (before != null && before.currentText.equals(text)) {
            return;
        }
        ladders.put(key, ladder(key, place, text, lastGood.get(key)));
        unsettled.add(key);
    }

    /** The key is deleted. */
    void remove(String key) {
        if (ladders.remove(key) != null) {
            lastGood.remove(key);
            readings.forget(key);
            unsettled.remove(key);
            movedDown.remove(key);
        }
    }

    /** How many resource keys there are. */
    int size() {
        return ladders.size();
    }

    /** A choice over the keys as they are now: each key's best version to begin with. */
    Choice choose() {
        for (String key : movedDown) {
            Ladder ladder = ladders.get(key);
            if (ladder != null) {
                ladder.reset();
            }
        }
        movedDown.clear();
        return new Choice();
    }

    /**
     * The last choice applied: the current values it used are their keys' last good ones now. Only
     * the readings of the texts a key may still serve are kept. Returns the keys whose versions
     * changed (or that did not serve as written) since the previous choice applied.
     */
    Set<String> applied() {
        Set<String> settled = Set.copyOf(unsettled);
        for (String key : unsettled) {
            Ladder ladder = ladders.get(key);
            if (ladder == null) {
                continue;
            }
            if (ladder.serving() == Kind.CURRENT && !ladder.currentText.equals(lastGood.get(key))) {
                lastGood.put(key, ladder.currentText);
                // its fallback is now what serves: the ladder offers the new last good value
                ladders.put(key, ladder(key, ladder.place, ladder.currentText, ladder.currentText));
            }
            readings.retainOnly(key, ladder.currentText, lastGood.get(key));
        }
        unsettled.clear();
        unsettled.addAll(movedDown);
        return settled;
    }

    private Ladder ladder(String key, KeyedResources.Place place, String current, String good) {
        Ladder ladder = new Ladder(key, place, current, good != null);
        ValueReadings.TextReading now = readings.of(key, place, current);
        ladder.offer(Kind.CURRENT, now.written());
        ValueReadings.TextReading before = good == null || good.equals(current) ? null : readings.of(key, place, good);
        if (before != null) {
            ladder.offer(Kind.LAST_GOOD, before.written());
        }
        // a route: what it is meant to match now, else what it matched when it last served
        for (ValueReadings.TextReading reading : before == null ? List.of(now) : List.of(now, before)) {
            if (reading.matchOnly() != null) {
                ladder.offer(Kind.MATCH_ONLY, reading.matchOnly());
            }
        }
        return ladder;
    }

    /** The versions of one key, best first, the one serving now, and why those above it failed. */
    static final class Ladder {
        final String key;
        final KeyedResources.Place place;
        final String currentText;
        final boolean hasLastGood;
        private final List<Kind> kinds = new ArrayList<>(3);
        private final List<ValueReadings.Reading> versions = new ArrayList<>(3);
        /** Why versions did not read: they were never offered. */
        private final Map<Kind, List<String>> unreadable = new EnumMap<>(Kind.class);
        /** Why versions offered failed to compile in the current choice. */
        private final Map<Kind, List<String>> failed = new EnumMap<>(Kind.class);
        private int index;

        private Ladder(String key, KeyedResources.Place place, String currentText, boolean hasLastGood) {
            this.key = key;
            this.place = place;
            this.currentText = currentText;
            this.hasLastGood = hasLastGood;
        }

        /** A version to try after those offered before; one that does not read is only remembered as failed. */
        private void offer(Kind kind, ValueReadings.Reading reading) {
            if (!reading.usable()) {
                unreadable.putIfAbsent(kind, reading.errors());
            } else if (versions.stream().noneMatch(offered -> offered.value().equals(reading.value()))) {
                kinds.add(kind);
                versions.add(reading);
            }
        }

        /** The kind of version serving, or null when none can. */
        Kind serving() {
            return index < kinds.size() ? kinds.get(index) : null;
        }

        /** The record of the version serving (a {@link io.tidegate.config.Route}, ...). */
        Object record() {
            return versions.get(index).record();
        }

        /** Why the current value failed; null when it did not. */
        List<String> currentErrors() {
            return errors(Kind.CURRENT);
        }

        /** Why the last good value failed (null when it did not, or is the current one). */
        List<String> lastGoodErrors() {
            return errors(Kind.LAST_GOOD);
        }

        private List<String> errors(Kind kind) {
            List<String> why = unreadable.get(kind);
            return why != null ? why : failed.get(kind);
        }

        private void fail(List<String> why) {
            failed.putIfAbsent(kinds.get(index), List.copyOf(why));
            index++;
        }

        private void reset() {
            failed.clear();
            index = 0;
        }
    }

    /** One choice of a version per key, moved down key by key as versions fail. */
    final class Choice {
        private Choice() {}

        /**
         * The chosen versions as resources. Every version offered reads on its own (those that do
         * not were passed over when offered), so only compiling them can fail now.
         */
        KeyedResources.Result read() {
            ResourceLists lists = new ResourceLists();
            Set<String> placeholders = new HashSet<>();
            Set<String> brokenGlobalRules = new HashSet<>();
            ladders.forEach((key, ladder) -> {
                Kind kind = ladder.serving();
                if (kind == null) {
                    if (ladder.place.type().equals("global_rules")) {
                        brokenGlobalRules.add(ladder.place.id());
                    }
                    return;
                }
                lists.add(key, ladder.place.type(), ladder.record());
                if (kind == Kind.MATCH_ONLY) {
                    placeholders.add(ladder.place.id());
                }
            });
            return lists.result(new Unservable(placeholders, brokenGlobalRules));
        }

        /** Moves each key named to its next version; false when no key was named. */
        boolean demote(Map<String, List<String>> errorsByKey) {
            boolean moved = false;
            for (Map.Entry<String, List<String>> failed : errorsByKey.entrySet()) {
                Ladder ladder = ladders.get(failed.getKey());
                if (ladder != null && ladder.serving() != null) {
                    ladder.fail(failed.getValue());
                    movedDown.add(failed.getKey());
                    moved = true;
                }
            }
            return moved;
        }

        /** Whether {@code key} is one of the keys chosen for. */
        boolean has(String key) {
            return ladders.containsKey(key);
        }

        /** The key's versions, or null when it is not one of the keys chosen for. */
        Ladder ladder(String key) {
            return ladders.get(key);
        }

        /** Every key, with the version it serves and why better ones failed. */
        Iterable<Ladder> ladders() {
            return ladders.values();
        }
    }
}
