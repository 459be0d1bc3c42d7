package io.tidegate.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Server certificates by SNI name, compiled from {@code ssls}: an exact name first, then a
 * {@code *.} wildcard for the name's parent domain. Immutable; a new configuration brings a new table.
 */
public final class CertificateTable {
    public static final CertificateTable EMPTY = new CertificateTable(Map.of(), Map.of());

    private final Map<String, Entry> exact;
    private final Map<String, Entry> wildcard;

    private CertificateTable(Map<String, Entry> exact, Map<String, Entry> wildcard) {
        this.exact = exact;
        this.wildcard = wildcard;
    }

    /** A certificate chain with its key; {@code alias} names it to the JDK's key manager calls. */
    public record Entry(String alias, X509Certificate[] chain, PrivateKey key) {
        public static Entry of(String alias, String certPem, String keyPem) {
            List<X509Certificate> chain = Pem.certificates(certPem);
            return new Entry(alias, chain.toArray(new X509Certificate[0]), Pem.privateKey(keyPem));
        }
    }

    /** The entry for a requested server name, or null. */
    public Entry find(String serverName) {
        if (serverName == null || serverName.isEmpty()) {
            return null;
        }
        String name = serverName.toLowerCase(Locale.ROOT);
        Entry entry = exact.get(name);
        if (entry == null) {
            int dot = name.indexOf('.');
            entry = dot < 0 ? null : wildcard.get(name.substring(dot));
        }
        return entry;
    }

    Entry byAlias(String alias) {
        for (Entry e : exact.values()) {
            if (e.alias().equals(alias)) {
                return e;
            }
        }
        for (Entry e : wildcard.values()) {
            if (e.alias().equals(alias)) {
                return e;
            }
        }
        return null;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, Entry> exact = new HashMap<>();
        private final Map<String, Entry> wildcard = new HashMap<>();

        /** @param sni {@code api.example.com} or {@code *.example.com} */
        public Builder add(String sni, Entry entry) {
            String name = sni.toLowerCase(Locale.ROOT);
            if (name.startsWith("*.")) {
                wildcard.put(name.substring(1), entry);
            } else {
                exact.put(name, entry);
            }
            return this;
        }

        public CertificateTable build() {
            return exact.isEmpty() && wildcard.isEmpty() ? EMPTY : new CertificateTable(Map.copyOf(exact), Map.copyOf(wildcard));
        }
    }
}
