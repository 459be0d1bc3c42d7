package io.tidegate.upstream;

import io.tidegate.upstream.pool.ConnectionPools;

/**
 * One node ready to serve: its connection pool, the address to report (as configured, with the
 * resolved IP when it was a name), and the Host header to send when {@code pass_host} is {@code node}.
 */
public record UpstreamNodeTarget(ConnectionPools.Pool pool, String address, String hostHeader) {}
