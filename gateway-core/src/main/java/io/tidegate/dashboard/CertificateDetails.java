package io.tidegate.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * What an operator checks of a certificate (subject, issuer, names, expiry), read from an ssl's
 * public {@code cert}; its private key is never read here.
 */
final class CertificateDetails {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CertificateDetails() {
    }

    static ObjectNode of(JsonNode ssl, Instant now) {
        ObjectNode out = NODES.objectNode();
        out.put("id", ssl.path("id").asText());
        out.set("snis", ssl.has("snis") ? ssl.get("snis") : ssl.has("sni") ? NODES.arrayNode().add(ssl.get("sni")) : NODES.arrayNode());
        out.put("status", ssl.path("status").asInt(1) == 1 ? "enabled" : "disabled");
        out.put("type", ssl.path("type").asText("server"));
        String pem = ssl.path("cert").asText("");
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)));
            out.put("subject", cert.getSubjectX500Principal().getName());
            out.put("issuer", cert.getIssuerX500Principal().getName());
            out.set("sans", names(cert));
            out.put("not_before", cert.getNotBefore().toInstant().toString());
            out.put("not_after", cert.getNotAfter().toInstant().toString());
            out.put("days_left", Duration.between(now, cert.getNotAfter().toInstant()).toDays());
        } catch (CertificateException | RuntimeException e) {
            out.put("error", "the certificate does not parse: " + e.getMessage());
        }
        return out;
    }

    private static ArrayNode names(X509Certificate cert) throws CertificateParsingException {
        ArrayNode names = NODES.arrayNode();
        Collection<List<?>> alternatives = cert.getSubjectAlternativeNames();
        if (alternatives != null) {
            for (List<?> name : alternatives) {
                int type = (Integer) name.get(0);
                if (type == 2 || type == 7) {  // DNS name, IP address
                    names.add(String.valueOf(name.get(1)));
                }
            }
        }
        return names;
    }
}
