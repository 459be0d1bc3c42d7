package io.tidegate.proxy;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** APISIX's merge rules between a route and the service it names, through the real gateway. */
class ServiceMergeTest {
    @RegisterExtension
    static final UpstreamServer serviceSide = new UpstreamServer("service");
    @RegisterExtension
    static final UpstreamServer routeSide = new UpstreamServer("route");

    private static String server(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response::body);
        return json(response).get("server").asText();
    }

    private String resources(String routes) {
        return """
                upstreams:
                  - { id: svc-up, nodes: { "%s": 1 } }
                  - { id: route-up, nodes: { "%s": 1 } }
                services:
                  - { id: by-id, upstream_id: svc-up, hosts: [svc.example.com] }
                  - { id: inline, upstream: { nodes: { "%s": 1 } } }
                  - { id: bare, plugins: { demo: { _meta: { disable: true } } } }
                """.formatted(serviceSide.address(), routeSide.address(), serviceSide.address()) + routes;
    }

    @Test
    void routeWithoutUpstreamUsesTheServiceUpstream() {
        try (TestGateway gw = TestGateway.start(resources("""
                routes:
                  - { id: 1, uri: /a, service_id: inline }
                  - { id: 2, uri: /b, service_id: by-id }
                """))) {
            assertEquals("service", server(gw.get("/a")));
            assertEquals("service", server(gw.send(gw.request("/b").header("Host", "svc.example.com").GET().build())));
        }
    }

    @Test
    void routeUpstreamReplacesTheServiceUpstream() {
        try (TestGateway gw = TestGateway.start(resources("""
                routes:
                  - { id: 1, uri: /by-id, service_id: inline, upstream_id: route-up }
                  - { id: 2, uri: /inline, service_id: inline, upstream: { nodes: { "%s": 1 } } }
                """.formatted(routeSide.address())))) {
            assertEquals("route", server(gw.get("/by-id")));
            assertEquals("route", server(gw.get("/inline")));
        }
    }

    @Test
    void serviceHostsApplyUnlessTheRouteHasItsOwn() {
        try (TestGateway gw = TestGateway.start(resources("""
                routes:
                  - { id: 1, uri: /h, service_id: by-id }
                  - { id: 2, uri: /own, service_id: by-id, hosts: [route.example.com] }
                """))) {
            assertEquals(404, gw.send(gw.request("/h").header("Host", "other.example.com").GET().build()).statusCode());
            assertEquals("service", server(gw.send(gw.request("/h").header("Host", "svc.example.com").GET().build())));
            assertEquals("service", server(gw.send(gw.request("/own").header("Host", "route.example.com").GET().build())));
            assertEquals(404, gw.send(gw.request("/own").header("Host", "svc.example.com").GET().build()).statusCode(),
                    "the route's hosts replace the service's");
        }
    }

    @Test
    void routeTimeoutWinsOverUpstreamTimeout() {
        try (TestGateway gw = TestGateway.start("""
                upstreams:
                  - { id: patient, timeout: { connect: 5, send: 5, read: 5 }, nodes: { "%s": 1 } }
                routes:
                  - { id: 1, uri: "/*", timeout: { connect: 1, send: 1, read: 0.3 }, upstream_id: patient }
                """.formatted(serviceSide.address()))) {
            assertEquals(504, gw.get("/__slow?ms=1500").statusCode());
        }
    }

    @Test
    void neitherRouteNorServiceHasAnUpstream() {
        try (TestGateway gw = TestGateway.start(resources("""
                routes:
                  - { id: 1, uri: /none, service_id: bare }
                """))) {
            HttpResponse<String> response = gw.get("/none");
            assertEquals(503, response.statusCode());
            assertEquals("{\"error_msg\":\"missing upstream configuration in Route or Service\"}\n", response.body());
        }
    }

    @Test
    void servicePluginThatIsNotLoadedGuardsItsRoutes() {
        try (TestGateway gw = TestGateway.start("""
                services:
                  - { id: s, plugins: { limit-count: { count: 1, time_window: 60 } }, upstream: { nodes: { "%s": 1 } } }
                routes:
                  - { id: 1, uri: /s, service_id: s }
                  - { id: 2, uri: /off, service_id: s, plugins: { limit-count: { _meta: { disable: true } } } }
                """.formatted(serviceSide.address()))) {
            assertEquals("{\"error_msg\":\"plugin limit-count is not loaded\"}\n", gw.get("/s").body());
            assertEquals(200, gw.get("/off").statusCode(), "the route's entry overrides the service's");
        }
    }
}
