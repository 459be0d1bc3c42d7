package io.tidegate.plugin.api;

/**
 * A plugin's logger. Every line names the plugin and the resource whose configuration it serves
 * ({@code [limit-count route:7] redis unreachable: ...}), and goes to the gateway's log. Arguments
 * fill {@code {}} placeholders in order, as SLF4J's do; a trailing Throwable is logged with its
 * stack trace. Cheap when the level is off; any thread.
 */
public interface PluginLog {
    void debug(String message, Object... args);

    void info(String message, Object... args);

    void warn(String message, Object... args);

    void error(String message, Object... args);

    /** Discards everything: for tests that do not look at logs. */
    PluginLog NONE = new PluginLog() {
        @Override
        public void debug(String message, Object... args) {}

        @Override
        public void info(String message, Object... args) {}

        @Override
        public void warn(String message, Object... args) {}

        @Override
        public void error(String message, Object... args) {}
    };
}
