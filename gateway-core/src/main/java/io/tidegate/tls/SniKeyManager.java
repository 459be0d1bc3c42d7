package io.tidegate.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses a listener's certificate by the client's SNI name: the {@code ssls} of the serving
 * configuration (exact, then wildcard), else the listener's own certificate. Reading the table per
 * handshake lets certificate changes apply without rebinding the listener.
 */
public final class SniKeyManager extends X509ExtendedKeyManager {
    private final OwnCertificate own;
    private final Supplier<CertificateTable> table;

    /**
     * The listener's own certificate, read per handshake so that a rotated file applies at once. A
     * handshake that chose the previous one still finds it by alias.
     */
    public interface OwnCertificate {
        CertificateTable.Entry current();

        CertificateTable.Entry byAlias(String alias);
    }

    public SniKeyManager(OwnCertificate own, Supplier<CertificateTable> table) {
        this.own = own;
        this.table = table;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        CertificateTable.Entry entry = table.get().find(serverName(engine.getHandshakeSession()));
        if (entry == null) {
            entry = own.current();
        }
        return entry != null && fits(entry.key(), keyType) ? entry.alias() : null;
    }

    private static boolean fits(PrivateKey key, String keyType) {
        String algorithm = key.getAlgorithm();
        return keyType.equals(algorithm)
                || ("RSASSA-PSS".equals(keyType) && "RSA".equals(algorithm))
                || ("EdDSA".equals(keyType) && algorithm.startsWith("Ed"));
    }

    private static String serverName(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            List<SNIServerName> names = extended.getRequestedServerNames();
            for (SNIServerName name : names) {
                if (name.getType() == StandardConstants.SNI_HOST_NAME) {
                    return ((SNIHostName) name).getAsciiName();
                }
            }
        }
        return null;
    }

    private CertificateTable.Entry entry(String alias) {
        CertificateTable.Entry mine = own.byAlias(alias);
        if (mine != null) {
            return mine;
        }
        return table.get().byAlias(alias);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        CertificateTable.Entry entry = entry(alias);
        return entry == null ? null : entry.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        CertificateTable.Entry entry = entry(alias);
        return entry == null ? null : entry.key();
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        CertificateTable.Entry fallback = own.current();
        return fallback == null ? null : fallback.alias();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        CertificateTable.Entry fallback = own.current();
        return fallback == null ? null : new String[] {fallback.alias()};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
