package io.tidegate.config;

/** APISIX's {@code timeout}: connect, send and read, in seconds. */
public record Timeouts(double connect, double send, double read) {
    /** APISIX's (nginx's) defaults when neither route nor upstream sets a timeout. */
    public static final Timeouts DEFAULT = new Timeouts(60, 60, 60);
}
