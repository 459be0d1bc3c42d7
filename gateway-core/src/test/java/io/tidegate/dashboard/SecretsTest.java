package io.tidegate.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What never reaches a browser, and how an edited resource gets its secrets back. */
class SecretsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void secretsOfEveryKindAreMaskedAndNothingElse() throws Exception {
        ObjectNode document = json("""
                {'routes': [{'id': 'r', 'uri': '/a', 'plugins': {
                    'openid-connect': {'client_id': 'app', 'client_secret': 'OIDC-SECRET', 'session': {'secret': 'SESSION-SECRET'},
                                       'token_endpoint_auth_method': 'client_secret_post'},
                    'http-logger': {'uri': 'http://log', 'auth_header': 'Bearer LOGGER'},
                    'limit-count': {'count': 1, 'redis_password': 'REDIS'}},
                  'upstream': {'nodes': {'a:1': 1}, 'tls': {'client_cert': 'CERT', 'client_key': 'ROUTE-KEY'}}}],
                 'upstreams': [{'id': 'u', 'nodes': {'a:1': 1}, 'tls': {'client_cert': 'CERT', 'client_key': 'UPSTREAM-KEY'}}],
                 'consumers': [{'username': 'jack', 'desc': 'shown', 'plugins': {'key-auth': {'key': 'JACK'},
                                'jwt-auth': {'key': 'k', 'secret': 'S', 'algorithm': 'HS256', 'list': ['L']}}}],
                 'ssls': [{'id': 's', 'snis': ['a'], 'cert': 'CERT', 'key': 'SSL-KEY', 'keys': ['K2']}]}""");
        String masked = Secrets.masked(document).toString();
        for (String secret : List.of("OIDC-SECRET", "SESSION-SECRET", "LOGGER", "REDIS", "ROUTE-KEY", "UPSTREAM-KEY", "JACK",
                "\"S\"", "HS256", "\"L\"", "SSL-KEY", "K2")) {
            assertFalse(masked.contains(secret), secret + " in " + masked);
        }
        for (String shown : List.of("client_secret_post", "\"app\"", "http://log", "\"shown\"", "CERT")) {
            assertEquals(true, masked.contains(shown), shown + " hidden in " + masked);
        }
    }

    @Test
    void aMaskSavedBackKeepsTheStoredValueAndAMaskWithNothingBehindItIsRefused() throws Exception {
        ObjectNode stored = json("{'id': 'r', 'plugins': {'openid-connect': {'client_secret': 'OIDC-SECRET'}}}");
        ObjectNode edited = json("{'id': 'r', 'name': 'new', 'plugins': {'openid-connect': {'client_secret': '******'}}}");
        assertEquals(List.of(), Secrets.unmask("routes", edited, stored));
        assertEquals("OIDC-SECRET", edited.at("/plugins/openid-connect/client_secret").asText());

        ObjectNode moved = json("{'id': 'r', 'plugins': {'other': {'client_secret': '******'}}}");
        assertEquals(List.of("plugins.other.client_secret"), Secrets.unmask("routes", moved, stored), "a mask only resolves at its own place");
    }

    @Test
    void anSslKeepsItsKeyOnlyWithTheSameCertificate() throws Exception {
        ObjectNode stored = json("{'id': 's', 'snis': ['a'], 'cert': 'OLD', 'key': 'OLD-KEY'}");
        ObjectNode renamed = json("{'id': 's', 'snis': ['a', 'b'], 'cert': 'OLD'}");
        assertEquals(List.of(), Secrets.unmask("ssls", renamed, stored));
        assertEquals("OLD-KEY", renamed.path("key").asText());
        ObjectNode renewed = json("{'id': 's', 'snis': ['a'], 'cert': 'NEW'}");
        assertEquals(List.of("key"), Secrets.unmask("ssls", renewed, stored), "a new certificate needs its own key");
        assertFalse(renewed.has("key"));
    }

    @Test
    void secretsOfAnItemTellARotatedCredentialApart() throws Exception {
        ObjectNode before = json("{'username': 'alice', 'plugins': {'key-auth': {'key': 'OLD'}}}");
        ObjectNode after = json("{'username': 'alice', 'plugins': {'key-auth': {'key': 'NEW'}}}");
        assertEquals(Secrets.masked("consumers", before), Secrets.masked("consumers", after), "masked, they look the same");
        assertNotEquals(Secrets.secretsOf("consumers", before), Secrets.secretsOf("consumers", after));
    }
}
