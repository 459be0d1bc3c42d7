package io.tidegate.config;

import java.util.List;

/** A configuration that cannot be served. Carries every problem found, each naming its path. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> errors;

    public ConfigException(List<String> errors) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    public ConfigException(String error) {
        this(List.of(error));
    }

    public List<String> errors() {
        return errors;
    }
}
