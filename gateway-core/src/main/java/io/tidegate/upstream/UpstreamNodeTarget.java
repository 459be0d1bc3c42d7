package io.tidegate.upstream;

import io.undertow.server.handlers.proxy.ProxyConnectionPool;

/**
 * One node ready to serve: its connection pool, the address to report, and the Host header to
 * send when the upstream's {@code pass_host} is {@code node}.
 */
record UpstreamNodeTarget(ProxyConnectionPool pool, String address, String hostHeader) {}
