package io.tidegate.plugin;

import java.net.http.HttpClient;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The HTTP client a plugin calls other services with ({@code PluginServices.httpClient}): one per
 * plugin and TLS verification setting, kept as the plugin's shared state, so connections are
 * reused across configuration versions. HTTP/1.1 only (a service gets no {@code Upgrade: h2c} it
 * might mishandle); redirects are not followed, so a service's redirect reaches the plugin.
 */
public final class OutboundHttp implements AutoCloseable {
    /** Its key among the plugin's shared state. */
    public record Key(boolean verifyTls) {}

    private final HttpClient client;

    public OutboundHttp(boolean sslVerify) {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(60));
        if (!sslVerify) {
            SSLParameters parameters = new SSLParameters();
            parameters.setEndpointIdentificationAlgorithm(null);
            builder.sslContext(trustingEveryCertificate()).sslParameters(parameters);
        }
        this.client = builder.build();
    }

    public HttpClient client() {
        return client;
    }

    /** ssl_verify: false, as the user asked: any certificate, any name. */
    private static SSLContext trustingEveryCertificate() {
        // an extended trust manager: the JDK client would wrap a plain one with a host name check
        TrustManager trustAll = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is unavailable", e);
        }
    }

    /** The JDK client has no close before Java 21; its threads end once it is unreachable. */
    @Override
    public void close() {}
}
