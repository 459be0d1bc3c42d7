package io.tidegate.upstream;

import io.tidegate.config.KeepalivePool;
import io.tidegate.config.UpstreamTls;

/**
 * Where and how the gateway connects to one node: the key of its connection pool.
 *
 * @param tlsName the TLS server name (SNI, and the name verified) for https; null for http
 */
public record NodeEndpoint(String scheme, String address, int port, KeepalivePool settings, UpstreamTls tls, String tlsName) {}
