package io.tidegate.source;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each etcd key's values as parsed and read, kept across rebuilds. A change touches a few keys, yet
 * every rebuild used to parse and validate every value again: with 10,000 routes that was most of
 * the etcd thread's time in a profile of Admin API writes (JSON parsing and ResourceReader about
 * half its samples). Reading a value depends on its text alone, so a text read once is not read
 * again while its key may still serve it: as its current value or its last good one.
 */
final class ValueReadings {
    /** What a route is matched by: all that its placeholder keeps. */
    private static final List<String> MATCHING_FIELDS = List.of("uri", "uris", "host", "hosts", "methods", "priority",
            "remote_addr", "remote_addrs", "vars", "status");

    /**
     * One version of a key, read: usable when {@code errors} is empty. {@code value} is the parsed
     * object whenever the text is one (even when unusable), {@code record} what it read as.
     */
    record Reading(ObjectNode value, Object record, List<String> errors) {
        boolean usable() {
            return record != null && errors.isEmpty();
        }
    }

    /**
     * A text of a key, read as written and, for a route whose text is an object, as the placeholder
     * that only matches requests (null otherwise).
     */
    record TextReading(String text, Reading written, Reading matchOnly) {}

    private final KeyedResources keyed;
    /** Per key, the texts read so far that it may still serve (one or two). */
    private final Map<String, List<TextReading>> byKey = new HashMap<>();

    ValueReadings(KeyedResources keyed) {
        this.keyed = keyed;
    }

    /** The reading of {@code text} under {@code key}, read now unless it was before. */
    TextReading of(String key, KeyedResources.Place place, String text) {
        List<TextReading> known = byKey.computeIfAbsent(key, k -> new ArrayList<>(2));
        for (TextReading reading : known) {
            if (reading.text().equals(text)) {
                return reading;
            }
        }
        TextReading read = read(place, text);
        known.add(read);
        return read;
    }

    /** Forgets every text of {@code key} but {@code current} and {@code good} (null: none). */
    void retainOnly(String key, String current, String good) {
        List<TextReading> known = byKey.get(key);
        if (known != null) {
            known.removeIf(reading -> !reading.text().equals(current) && !reading.text().equals(good));
        }
    }

    /** Forgets the key: it is deleted. */
    void forget(String key) {
        byKey.remove(key);
    }

    private TextReading read(KeyedResources.Place place, String text) {
        KeyedResources.Parsed parsed = keyed.parse(place, text);
        Reading written = parsed.problem() != null ? new Reading(parsed.value(), null, List.of(parsed.problem()))
                : reading(place, parsed.value());
        Reading matchOnly = place.type().equals("routes") && parsed.value() != null
                ? reading(place, matchOnly(place, parsed.value())) : null;
        return new TextReading(text, written, matchOnly);
    }

    private Reading reading(KeyedResources.Place place, ObjectNode value) {
        KeyedResources.ItemRead read = keyed.readOne(place, value);
        return new Reading(value, read.record(), read.errors());
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
}
