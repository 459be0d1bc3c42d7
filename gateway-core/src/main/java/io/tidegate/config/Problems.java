package io.tidegate.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects configuration errors ({@link Problem}: a path and a message) so that one validation
 * pass reports all of them, not only the first.
 */
public final class Problems {
    private final List<Problem> problems = new ArrayList<>();

    public void add(String path, String message) {
        problems.add(new Problem(path, message));
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** Every problem as the line an operator reads. */
    public List<String> list() {
        return problems.stream().map(Problem::text).toList();
    }

    public List<Problem> problems() {
        return List.copyOf(problems);
    }

    /** Throws when anything was reported. */
    public void throwIfAny() throws ConfigException {
        if (!problems.isEmpty()) {
            throw ConfigException.of(problems);
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
