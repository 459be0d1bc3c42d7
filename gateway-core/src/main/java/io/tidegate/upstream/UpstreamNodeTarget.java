package io.tidegate.upstream;

/**
 * One node ready to serve: its connection pool, where it connects ({@code endpoint}: scheme, IP,
 * port), the address to report (as configured, with the resolved IP when it was a name), and the
 * Host header to send when {@code pass_host} is {@code node}.
 */
public record UpstreamNodeTarget(NodeConnections pool, NodeEndpoint endpoint, String address, String hostHeader) {}
