package io.tidegate.config;

/**
 * A listener's own certificate and key (PEM text, read from the configured files), served when no
 * {@code ssls} entry matches the client's SNI name.
 */
public record ListenerTls(String certPem, String keyPem) {}
