package io.tidegate.plugin.api;

/**
 * An upstream a plugin may send a request to instead of the route's ({@code traffic-split}): made by
 * {@link PluginServices#upstream} (one written in the plugin's configuration) or
 * {@link PluginServices#upstreamId} (one of the configuration's {@code upstreams}), used with
 * {@link PluginContext#useUpstream}. Only the gateway implements it. The chosen upstream is served
 * as a route's own would be: its balancer, retries, timeouts, health checks and {@code pass_host}.
 */
public interface UpstreamRef {
    /** For logs: {@code upstream 7}, or where an inline one was written. */
    String describe();
}
