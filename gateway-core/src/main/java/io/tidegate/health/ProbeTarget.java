package io.tidegate.health;

/**
 * One node as the prober reaches it: the resolved address it connects to, and the configured host
 * (a name or an IP literal) that names it in the Host header and TLS unless the checks set
 * {@code host}.
 */
public record ProbeTarget(String ip, int port, String host) {}
