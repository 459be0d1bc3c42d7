package io.tidegate.config;

import java.util.List;

/**
 * An upstream: where a route's traffic goes. {@code id} is null for an inline upstream.
 * {@code retries} null means APISIX's default (number of nodes - 1); {@code timeout} null means the
 * route's or the global default. {@code checks} is null without health checks. {@code tls}
 * applies when {@code scheme} is https.
 */
public record Upstream(
        String id,
        String name,
        String type,
        List<UpstreamNode> nodes,
        Integer retries,
        double retryTimeout,
        Timeouts timeout,
        String scheme,
        String passHost,
        String upstreamHost,
        KeepalivePool keepalivePool,
        String hashOn,
        String key,
        UpstreamTls tls,
        HealthChecks checks) {

    public int effectiveRetries() {
        return retries != null ? retries : Math.max(0, nodes.size() - 1);
    }
}
