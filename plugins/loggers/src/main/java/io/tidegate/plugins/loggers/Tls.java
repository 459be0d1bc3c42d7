package io.tidegate.plugins.loggers;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS to a log collector as APISIX's tcp-logger and syslog do it: encrypted, the collector's
 * certificate not verified (their {@code sslhandshake(..., ssl_verify = false)}), the server name
 * sent when it is a host name.
 */
final class Tls {
    private static final SSLContext UNVERIFIED = unverified();

    private Tls() {}

    /** Wraps a connected socket and completes the handshake (within the socket's timeout). */
    static SSLSocket handshake(Socket plain, String host, int port, String serverName) throws IOException {
        SSLSocket tls = (SSLSocket) UNVERIFIED.getSocketFactory().createSocket(plain, host, port, true);
        String sni = serverName != null && !serverName.isEmpty() ? serverName : host;
        if (!isAddressLiteral(sni)) {
            try {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(sni)));
                tls.setSSLParameters(parameters);
            } catch (IllegalArgumentException e) {
                // not a name SNI can carry: the handshake goes without one
            }
        }
        tls.startHandshake();
        return tls;
    }

    /** The context that accepts any certificate. */
    static SSLContext unverifiedContext() {
        return UNVERIFIED;
    }

    private static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static SSLContext unverified() {
        X509TrustManager any = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {any}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
