package io.tidegate.plugin.api;

/**
 * Where a plugin reports entries it had to give up on (a full queue, a collector that never
 * answered), so operators see the loss in the gateway's metrics rather than only in its log.
 * Cheap and thread-safe; call it from any thread.
 */
@FunctionalInterface
public interface DropCounter {
    DropCounter NONE = entries -> { };

    void add(long entries);
}
