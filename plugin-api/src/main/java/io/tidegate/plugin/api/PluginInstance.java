package io.tidegate.plugin.api;

import java.nio.ByteBuffer;

/**
 * One configured use of a plugin (a route's, a service's, a global rule's, a consumer's). Shared
 * by every request that uses it, concurrently: keep per-request state in
 * {@link PluginContext#attributes()}. Phases run on the gateway's IO threads and must not block.
 */
public interface PluginInstance {
    /** Before routing decisions take effect: rewrite the request, authenticate. */
    default PhaseResult rewrite(PluginContext context) {
        return PhaseResult.proceed();
    }

    /** Access control and limits, after the consumer (if any) is known. */
    default PhaseResult access(PluginContext context) {
        return PhaseResult.proceed();
    }

    /** After the upstream node is chosen, just before the request is sent to it. */
    default PhaseResult beforeProxy(PluginContext context) {
        return PhaseResult.proceed();
    }

    /** The response head, just before it is sent: read or change status and headers. */
    default void headerFilter(PluginContext context) {}

    /**
     * Whether {@link #bodyFilter} should see the response body. A filter that may change the
     * body's size must remove {@code Content-Length} in {@link #headerFilter} (the body is then
     * sent chunked), as in APISIX; otherwise the client would be told the wrong length.
     */
    default boolean filtersBody() {
        return false;
    }

    /**
     * One chunk of the response body, in order; {@code last} marks the end (its chunk may be empty).
     * Returns what to send instead (the same buffer, another one, or an empty one).
     */
    default java.nio.ByteBuffer bodyFilter(PluginContext context, ByteBuffer chunk, boolean last) {
        return chunk;
    }

    /**
     * How many leading bytes of the request body this plugin wants to read in {@link #log}, through
     * {@link PluginContext.Request#bodyHead()}; 0 (the default) for none. The body still streams to
     * the upstream as it arrives: the gateway copies only this much of it aside, never holds the rest.
     */
    default int requestBodyHead() {
        return 0;
    }

    /** After the response is complete; it is never delayed by this phase. */
    default void log(PluginContext context) {}

    /** The configuration version using this instance is gone: release timers, connections. */
    default void close() {}
}
