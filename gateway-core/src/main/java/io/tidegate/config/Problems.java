package io.tidegate.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects configuration errors as {@code path: message} so that one validation pass reports all of
 * them, not only the first.
 */
public final class Problems {
    private final List<String> errors = new ArrayList<>();

    public void add(String path, String message) {
        errors.add(path.isEmpty() ? message : path + ": " + message);
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<String> list() {
        return List.copyOf(errors);
    }

    /** Throws when anything was reported. */
    public void throwIfAny() throws ConfigException {
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
    }

    /** Joins a parent path and a field name: {@code routes[2]} + {@code upstream}. */
    public static String join(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    public static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
