package io.tidegate.plugin.api;

/**
 * Sees each try of one request at an upstream node ({@link PluginContext#watchUpstreamTries}): a
 * tracer's client span per try, a per-node timing. Tries come one after another, never overlap,
 * and each that starts also ends. Called on the request's IO thread: return at once, never block.
 * A watcher that throws is dropped (logged), never the request.
 */
public interface UpstreamTryWatcher {
    /** The try is about to be sent: its node is chosen and its request not written yet. */
    void started(UpstreamTry attempt);

    /** The try is over: its response relayed to the end, or its {@link UpstreamTry#failure}. */
    void ended(UpstreamTry attempt);
}
