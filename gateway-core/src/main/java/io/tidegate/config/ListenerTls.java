package io.tidegate.config;

import java.nio.file.Path;

/**
 * A listener's own certificate and key (PEM text, read from the configured files), served when no
 * {@code ssls} entry matches the client's SNI name. The files are kept so that a replaced one is
 * read again (certificate rotation without a restart).
 */
public record ListenerTls(String certPem, String keyPem, Path certFile, Path keyFile) {}
