package io.tidegate.config;

/**
 * TLS towards an upstream ({@code scheme: https}): {@code verify} checks the upstream's certificate
 * and host name; {@code clientCert}/{@code clientKey} (PEM, both or neither) present a client
 * certificate (mTLS).
 */
public record UpstreamTls(String clientCert, String clientKey, boolean verify) {
    public static final UpstreamTls DEFAULT = new UpstreamTls(null, null, false);
}
