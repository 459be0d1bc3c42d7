package io.tidegate.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS towards upstreams. With {@code verify} the upstream's chain must lead to a trusted CA (the
 * configured bundle, else the JVM's) and its certificate must name the host we asked for; without
 * it (APISIX's default) any certificate is accepted, but SNI is still sent. An optional client
 * certificate gives mutual TLS.
 */
public final class ClientTls {
    private ClientTls() {}

    /**
     * @param trustedCas PEM bundle of CAs, or null for the JVM's trust store
     * @param clientCert PEM chain for mTLS, or null
     * @param clientKey  PEM key for mTLS, or null
     */
    public static SSLContext context(boolean verify, String trustedCas, String clientCert, String clientKey) {
        try {
            TrustManager[] trust = verify ? trustManagers(trustedCas) : new TrustManager[] {TrustAll.INSTANCE};
            KeyManager[] keys = clientCert == null ? null : keyManagers(clientCert, clientKey);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, new SecureRandom());
            return verify ? new EngineConfiguringContext(context, ClientTls::verifyHostName) : context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("cannot build TLS context: " + e.getMessage(), e);
        }
    }

    private static void verifyHostName(SSLEngine engine) {
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
    }

    private static TrustManager[] trustManagers(String trustedCas) throws GeneralSecurityException, java.io.IOException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (trustedCas == null) {
            factory.init((KeyStore) null);
        } else {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            List<X509Certificate> cas = Pem.certificates(trustedCas);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            factory.init(store);
        }
        return factory.getTrustManagers();
    }

    static KeyManager[] keyManagers(String certPem, String keyPem) throws GeneralSecurityException, java.io.IOException {
        List<X509Certificate> chain = Pem.certificates(certPem);
        PrivateKey key = Pem.privateKey(keyPem);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] password = new char[0];
        store.setKeyEntry("client", key, password, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        return factory.getKeyManagers();
    }

    /** A trust manager for {@code verify: false}: encrypted, but any server certificate and host name is accepted. */
    public static X509TrustManager trustingAnyServer() {
        return TrustAll.INSTANCE;
    }

    /**
     * APISIX's {@code tls.verify: false}: the connection is encrypted but the peer is not checked.
     * Extended, so that the JDK does not wrap it and check the host name after all when a client
     * (gRPC does) asks for endpoint identification.
     */
    private static final class TrustAll extends X509ExtendedTrustManager {
        static final TrustAll INSTANCE = new TrustAll();

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // deliberately accepts any certificate: verification is off for this peer
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
            // as above
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // as above
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
