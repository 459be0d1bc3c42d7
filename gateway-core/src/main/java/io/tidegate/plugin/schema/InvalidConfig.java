package io.tidegate.plugin.schema;

import java.util.List;

/** A configuration its schema refuses, with every violation found. */
public final class InvalidConfig extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigViolation> violations;

    public InvalidConfig(List<ConfigViolation> violations) {
        super(violations.isEmpty() ? "invalid" : violations.get(0).field() + ": " + violations.get(0).message(), null, false, false);
        this.violations = List.copyOf(violations);
    }

    public List<ConfigViolation> violations() {
        return violations;
    }
}
