package io.tidegate.plugin.api;

/**
 * A file the gateway writes lines to on its own thread: bounded, never blocking the caller, and
 * reopened when moved away (logrotate). Shared by every plugin instance naming the same path.
 */
public interface LineSink {
    /** Queues one line (without newline); false when the queue was full and the line dropped. */
    boolean write(String line);
}
