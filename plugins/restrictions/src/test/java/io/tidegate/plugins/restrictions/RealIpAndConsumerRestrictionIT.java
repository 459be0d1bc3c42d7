package io.tidegate.plugins.restrictions;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * real-ip and consumer-restriction through the real gateway: the address real-ip finds is the one
 * ip-restriction checks and the upstream is told; consumer-restriction by route and service.
 * (By consumer name, with the authentication plugins, in the conformance suite.)
 */
class RealIpAndConsumerRestrictionIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                services:
                  - { id: shop, upstream: { nodes: { "%1$s": 1 } } }
                routes:
                  - id: xff
                    uri: /xff
                    plugins:
                      real-ip: { source: http_x_forwarded_for, trusted_addresses: ["127.0.0.0/8"], recursive: true }
                      ip-restriction: { whitelist: ["10.0.0.0/8"] }
                    upstream: { nodes: { "%1$s": 1 } }
                  - id: untrusted
                    uri: /untrusted
                    plugins: { real-ip: { source: http_x_real_ip, trusted_addresses: ["192.0.2.0/24"] } }
                    upstream: { nodes: { "%1$s": 1 } }
                  - { id: by-route, uri: /by-route, plugins: { consumer-restriction: { type: route_id, blacklist: [by-route] } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: in-shop, uri: /in-shop, service_id: shop, plugins: { consumer-restriction: { type: service_id, whitelist: [shop] } } }
                  - { id: no-service, uri: /no-service, plugins: { consumer-restriction: { type: service_id, whitelist: [shop], rejected_code: 401 } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: nobody, uri: /nobody, plugins: { consumer-restriction: { whitelist: [jack] } }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()));
    }

    private static HttpResponse<String> get(TestGateway gw, String path, String header, String value) {
        return gw.send(gw.request(path).header(header, value).GET().build());
    }

    @Test
    void theAddressRealIpFindsIsTheClientsForEverythingAfter() {
        try (TestGateway gw = gateway()) {
            HttpResponse<String> spoofedThenReal = get(gw, "/xff", "X-Forwarded-For", "203.0.113.9, 10.1.2.3, 127.0.0.5");
            assertEquals(200, spoofedThenReal.statusCode(), "the last untrusted entry is the client: 10.1.2.3");
            JsonNode headers = json(spoofedThenReal).get("headers");
            assertEquals("10.1.2.3", headers.get("x-real-ip").asText());
            assertEquals("203.0.113.9, 10.1.2.3, 127.0.0.5, 10.1.2.3", headers.get("x-forwarded-for").asText(),
                    "as nginx's $proxy_add_x_forwarded_for after real_ip");

            int before = upstream.requestCount();
            HttpResponse<String> outside = get(gw, "/xff", "X-Forwarded-For", "10.9.9.9, 203.0.113.9");
            assertEquals(403, outside.statusCode(), "203.0.113.9 is the client, and not allowed");
            assertEquals(403, gw.get("/xff").statusCode(), "no header: the peer, 127.0.0.1, is the client");
            assertEquals(403, get(gw, "/xff", "X-Forwarded-For", "not-an-ip").statusCode(), "a value that is no address is ignored");
            assertEquals(before, upstream.requestCount());
        }
    }

    @Test
    void anUntrustedPeerCannotChooseItsAddress() {
        try (TestGateway gw = gateway()) {
            JsonNode headers = json(get(gw, "/untrusted", "X-Real-IP", "10.1.2.3")).get("headers");
            assertEquals("127.0.0.1", headers.get("x-real-ip").asText(), "127.0.0.1 is not in trusted_addresses");
        }
    }

    @Test
    void consumerRestrictionByRouteAndService() {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            HttpResponse<String> route = gw.get("/by-route");
            assertEquals(403, route.statusCode());
            assertEquals("{\"message\":\"The route_id is forbidden.\"}\n", route.body());
            HttpResponse<String> noService = gw.get("/no-service");
            assertEquals(401, noService.statusCode());
            assertEquals("{\"message\":\"The request is rejected, please check the service_id for this request\"}\n", noService.body());
            HttpResponse<String> noConsumer = gw.get("/nobody");
            assertEquals(401, noConsumer.statusCode(), "no authentication plugin: no consumer, refused");
            assertEquals("{\"message\":\"The request is rejected, please check the consumer_name for this request\"}\n", noConsumer.body());
            assertEquals(before, upstream.requestCount());
            assertEquals(200, gw.get("/in-shop").statusCode());
        }
    }
}
