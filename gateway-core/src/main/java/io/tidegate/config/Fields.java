package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the fields of one configuration object, reporting every wrong type, missing field and
 * unknown field to {@link Problems} under its full path. Getters return a fallback after reporting,
 * so reading goes on and all errors surface in one pass.
 */
final class Fields {
    private static final Pattern ID = Pattern.compile("^[a-zA-Z0-9-_.]+$");

    private final JsonNode node;
    private final String path;
    private final Problems problems;

    private Fields(JsonNode node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    /**
     * Opens an object for reading; reports a non-object (returning null) and every field not in
     * {@code allowed}.
     */
    static Fields open(JsonNode node, String path, Problems problems, Set<String> allowed) {
        if (node == null || !node.isObject()) {
            problems.add(path, "must be an object");
            return null;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                problems.add(Problems.join(path, name), "unknown field");
            }
        }
        return new Fields(node, path, problems);
    }

    /**
     * The nested object {@code field}, its unknown fields reported; null when it is absent, or when
     * it is not an object (also reported), so that the caller falls back to its defaults.
     */
    Fields object(String field, Set<String> allowed) {
        return has(field) ? open(raw(field), path(field), problems, allowed) : null;
    }

    String path() {
        return path;
    }

    String path(String field) {
        return Problems.join(path, field);
    }

    Problems problems() {
        return problems;
    }

    /** Present and not YAML/JSON null. */
    boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    JsonNode raw(String field) {
        return has(field) ? node.get(field) : null;
    }

    void report(String field, String message) {
        problems.add(path(field), message);
    }

    String string(String field, String fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode value = node.get(field);
        if (!value.isTextual()) {
            report(field, "must be a string");
            return fallback;
        }
        return value.textValue();
    }

    String requiredString(String field) {
        if (!has(field)) {
            report(field, "is required");
            return null;
        }
        return string(field, null);
    }

    /** A string limited to {@code min..max} characters. */
    String string(String field, String fallback, int min, int max) {
        String value = string(field, null);
        if (value == null) {
            return fallback;
        }
        if (value.length() < min || value.length() > max) {
            report(field, "length must be between " + min + " and " + max);
            return fallback;
        }
        return value;
    }

    String oneOf(String field, String fallback, Set<String> allowed) {
        String value = string(field, null);
        if (value == null) {
            return fallback;
        }
        if (!allowed.contains(value)) {
            report(field, "must be one of " + String.join(", ", allowed));
            return fallback;
        }
        return value;
    }

    Integer integer(String field, Integer fallback, long min, long max) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode value = node.get(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            report(field, "must be an integer");
            return fallback;
        }
        long v = value.longValue();
        if (v < min) {
            report(field, "must be >= " + min);
            return fallback;
        }
        if (v > max) {
            report(field, "must be <= " + max);
            return fallback;
        }
        return (int) v;
    }

    /** A number of seconds (integer or fraction), strictly positive unless {@code allowZero}. */
    Double seconds(String field, Double fallback, boolean allowZero) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode value = node.get(field);
        if (!value.isNumber()) {
            report(field, "must be a number");
            return fallback;
        }
        double v = value.doubleValue();
        if (allowZero ? v < 0 : v <= 0) {
            report(field, allowZero ? "must be >= 0" : "must be > 0");
            return fallback;
        }
        return v;
    }

    Boolean bool(String field, Boolean fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode value = node.get(field);
        if (!value.isBoolean()) {
            report(field, "must be a boolean");
            return fallback;
        }
        return value.booleanValue();
    }

    /** A list of strings; reports a non-list and non-string items. Absent: empty list. */
    List<String> stringList(String field) {
        if (!has(field)) {
            return List.of();
        }
        JsonNode value = node.get(field);
        if (!value.isArray()) {
            report(field, "must be a list");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (item.isTextual()) {
                out.add(item.textValue());
            } else {
                problems.add(Problems.index(path(field), i), "must be a string");
            }
        }
        return List.copyOf(out);
    }

    /** Like {@link #stringList} but also rejects an empty list and duplicates. */
    List<String> nonEmptyUniqueStrings(String field) {
        List<String> values = stringList(field);
        if (has(field) && node.get(field).isArray()) {
            if (node.get(field).isEmpty()) {
                report(field, "must not be empty");
            } else if (values.stream().distinct().count() != values.size()) {
                report(field, "must not contain duplicates");
            }
        }
        return values;
    }

    /** The {@code labels} map: string keys to string values. */
    Map<String, String> labels() {
        if (!has("labels")) {
            return Map.of();
        }
        JsonNode value = node.get("labels");
        if (!value.isObject()) {
            report("labels", "must be an object");
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        value.fields().forEachRemaining(e -> {
            String text = e.getValue().isTextual() ? e.getValue().textValue() : null;
            if (text != null && (text.isEmpty() || text.length() > 256 || text.chars().anyMatch(Character::isWhitespace))) {
                // APISIX's labels_def: ^\S+$, 1 to 256 characters
                problems.add(path("labels") + "." + e.getKey(), "must be 1 to 256 characters without spaces");
            } else if (text != null) {
                out.put(e.getKey(), text);
            } else {
                problems.add(path("labels") + "." + e.getKey(), "must be a string");
            }
        });
        return Map.copyOf(out);
    }

    /**
     * A plugin map: name to its configuration object. Plugin configuration is validated by the
     * plugin itself when the snapshot is built; here only its shape is checked.
     */
    Map<String, JsonNode> plugins() {
        if (!has("plugins")) {
            return Map.of();
        }
        JsonNode value = node.get("plugins");
        if (!value.isObject()) {
            report("plugins", "must be an object");
            return Map.of();
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        value.fields().forEachRemaining(e -> {
            if (e.getValue().isObject()) {
                out.put(e.getKey(), e.getValue().deepCopy());
            } else {
                problems.add(path("plugins") + "." + e.getKey(), "must be an object");
            }
        });
        return java.util.Collections.unmodifiableMap(out);
    }

    /**
     * An APISIX id: a string of 1-64 characters from {@code [a-zA-Z0-9-_.]} or an integer >= 1,
     * normalised to its string form.
     */
    String id(String field, boolean required) {
        if (!has(field)) {
            if (required) {
                report(field, "is required");
            }
            return null;
        }
        JsonNode value = node.get(field);
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong() || value.longValue() < 1) {
                report(field, "must be >= 1");
                return null;
            }
            return Long.toString(value.longValue());
        }
        if (!value.isTextual()) {
            report(field, "must be a string or an integer");
            return null;
        }
        String id = value.textValue();
        if (id.isEmpty() || id.length() > 64) {
            report(field, "length must be between 1 and 64");
            return null;
        }
        if (!ID.matcher(id).matches()) {
            report(field, "must match " + ID.pattern());
            return null;
        }
        return id;
    }

    /** Reports that at most one of two fields may be given. Returns true when both are. */
    boolean mutuallyExclusive(String a, String b) {
        if (has(a) && has(b)) {
            problems.add(path, a + " and " + b + " are mutually exclusive");
            return true;
        }
        return false;
    }
}
