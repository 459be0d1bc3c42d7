package io.tidegate.config;

import java.util.List;

/**
 * {@code tidegate.etcd}: where the resources live when they are not in the file. Keys follow
 * APISIX's layout under {@code prefix} ({@code /apisix/routes/1}, ...).
 *
 * @param timeoutSeconds how long one etcd call may take before it counts as failed
 * @param tls            how to speak TLS to {@code https://} endpoints; null for {@code http://}
 */
public record EtcdSettings(List<String> endpoints, String prefix, String user, String password, double timeoutSeconds,
                           Tls tls) {
    /**
     * {@code tidegate.etcd.tls}, PEM text read from the files the config names.
     *
     * @param verify        check etcd's certificate and host name (APISIX's {@code tls.verify})
     * @param trustedCasPem CAs to check it against; null for the JVM's trust store
     * @param certPem       client certificate chain for etcd's {@code --client-cert-auth}; null for none
     * @param keyPem        its private key
     */
    public record Tls(boolean verify, String trustedCasPem, String certPem, String keyPem) {}
}
