package io.tidegate.source;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.tidegate.config.EtcdSettings;
import io.tidegate.tls.ClientTls;
import io.tidegate.tls.Pem;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/** The TLS context jetcd's gRPC channel uses towards {@code https://} etcd endpoints. */
final class EtcdTls {
    private EtcdTls() {}

    static SslContext context(EtcdSettings.Tls tls) {
        // GrpcSslContexts sets up ALPN for HTTP/2, which etcd's gRPC endpoint requires.
        SslContextBuilder builder = GrpcSslContexts.forClient();
        if (!tls.verify()) {
            builder.trustManager(ClientTls.trustingAnyServer());
        } else if (tls.trustedCasPem() != null) {
            builder.trustManager(Pem.certificates(tls.trustedCasPem()).toArray(new X509Certificate[0]));
        }
        if (tls.certPem() != null) {
            builder.keyManager(Pem.privateKey(tls.keyPem()), Pem.certificates(tls.certPem()).toArray(new X509Certificate[0]));
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS to etcd: " + e.getMessage(), e);
        }
    }
}
