package io.tidegate.plugin.api;

import java.nio.ByteBuffer;

/**
 * Sees the request body as the gateway streams it to the upstream ({@link PluginContext#tapRequestBody}):
 * for a plugin that sends a copy elsewhere (proxy-mirror) without holding the body or slowing it.
 * Called on the request's IO thread: copy what is needed and return at once, never block.
 */
public interface RequestBodyTap {
    /** The next piece of the body: a read-only view, valid only during the call. */
    void onData(ByteBuffer data);

    /**
     * Called once: {@code complete} when the whole body was read (at once for a request without
     * one), else the exchange ended first (the client went away, the upstream answered early).
     */
    void onEnd(boolean complete);
}
