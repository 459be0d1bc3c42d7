package io.tidegate.config;

import java.util.List;

/** A configuration that cannot be served. Carries every problem found, each naming its path. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<Problem> problems;

    /** Problems whose path is part of their text (a whole file, say). */
    public ConfigException(List<String> errors) {
        this(errors.stream().map(error -> new Problem("", error)).toList(), true);
    }

    public ConfigException(String error) {
        this(List.of(error));
    }

    private ConfigException(List<Problem> problems, boolean unused) {
        super(String.join("\n", problems.stream().map(Problem::text).toList()));
        this.problems = List.copyOf(problems);
    }

    public static ConfigException of(List<Problem> problems) {
        return new ConfigException(problems, true);
    }

    /** Every problem as the line an operator reads. */
    public List<String> errors() {
        return problems.stream().map(Problem::text).toList();
    }

    public List<Problem> problems() {
        return problems;
    }
}
