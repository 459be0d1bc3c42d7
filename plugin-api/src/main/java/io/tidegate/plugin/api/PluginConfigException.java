package io.tidegate.plugin.api;

/**
 * A plugin configuration that cannot serve. {@code field} is the path inside the plugin's object
 * ({@code "count"}, {@code "headers.set"}), so the gateway can report
 * {@code routes[1].plugins.limit-count.count: must be > 0}.
 */
public final class PluginConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String field;

    public PluginConfigException(String field, String message) {
        super(message);
        this.field = field == null ? "" : field;
    }

    /** Path of the offending field inside the plugin's configuration; empty for the whole object. */
    public String field() {
        return field;
    }
}
