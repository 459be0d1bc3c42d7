package io.tidegate.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.testing.RawHttp;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.UpstreamServer;
import io.tidegate.testplugins.HeaderAuthPlugin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encoded slashes ({@code %2F}, and {@code %5C}, a backslash many servers take for one): an
 * upstream that decodes them acts on a different path than the one the gateway routed, so
 * {@code /public/..%2fadmin/x} could reach an authenticated {@code /admin/*} route's upstream
 * through the open {@code /public/*} route. By default the gateway decodes them before
 * normalising and routing, so routes, plugins and the upstream all see one path.
 *
 * <p>The authentication plugin is the test suite's {@code header-auth} (an X-Token per
 * consumer): the bundled key-auth jar is only built after this module's tests run.
 */
class PathAttacksTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final UpstreamServer publicSide = new UpstreamServer("public");
    @RegisterExtension
    static final UpstreamServer adminSide = new UpstreamServer("admin");

    @TempDir
    Path dir;

    /** Open /public/*, /admin/* behind header-auth (alice: t-alice), with {@code escaped_slashes} as given (null: default). */
    private TestGateway gateway(String escapedSlashes) throws IOException {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        TestPluginJars.install(plugins, "auth.jar", "auth", "1", HeaderAuthPlugin.class);
        return TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  limits: { %s }
                consumers:
                  - { username: alice, plugins: { header-auth: { token: t-alice } } }
                routes:
                  - { id: pub, uri: "/public/*", upstream: { nodes: { "%s": 1 } } }
                  - { id: adm, uri: "/admin/*", plugins: { header-auth: {} }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(plugins, escapedSlashes == null ? "" : "escaped_slashes: " + escapedSlashes,
                publicSide.address(), adminSide.address()));
    }

    /** Only a catch-all route to the public side, with the default settings. */
    private static TestGateway catchAll() {
        return TestGateway.start("""
                routes:
                  - { id: all, uri: "/*", upstream: { nodes: { "%s": 1 } } }
                """.formatted(publicSide.address()));
    }

    private static String get(TestGateway gw, String path, String token) {
        return RawHttp.send(gw.port(), "GET " + path + " HTTP/1.1\r\nHost: x\r\n"
                + (token == null ? "" : "X-Token: " + token + "\r\n") + "Connection: close\r\n\r\n", 3000);
    }

    private static JsonNode upstreamSaw(String response) throws IOException {
        return JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    private static int requestsUpstream() {
        return publicSide.requestCount() + adminSide.requestCount();
    }

    @Test
    void anEncodedSlashCannotLeadPastTheAuthenticatedRoute() throws IOException {
        try (TestGateway gw = gateway(null)) {
            for (String path : new String[] {"/public/..%2fadmin/x", "/public/..%2Fadmin/x", "/public/..%5cadmin/x",
                    "/public/..%5Cadmin/x"}) {
                int before = requestsUpstream();
                String response = get(gw, path, null);
                assertEquals(401, RawHttp.status(response), path + " is /admin/x, which needs a token:\n" + response);
                assertEquals(before, requestsUpstream(), path + " reached no upstream without a token");
            }
            String authorised = get(gw, "/public/..%2fadmin/x", "t-alice");
            assertEquals(200, RawHttp.status(authorised), authorised);
            JsonNode saw = upstreamSaw(authorised);
            assertEquals("admin", saw.get("server").asText(), "routed as /admin/x");
            assertEquals("/admin/x", saw.get("raw_path").asText(), "the upstream acts on the path the gateway routed");
            assertEquals("alice", saw.get("headers").get("x-consumer-username").asText());
        }
    }

    @Test
    void anEncodedSlashReachesTheUpstreamAsTheSlashItWasRoutedAs() throws IOException {
        try (TestGateway gw = catchAll()) {
            for (String path : new String[] {"/%2fadmin/x", "/%2Fadmin/x", "/%5cadmin/x", "/%5Cadmin/x"}) {
                String response = get(gw, path, null);
                assertEquals(200, RawHttp.status(response), path + ": " + response);
                assertEquals("/admin/x", upstreamSaw(response).get("raw_path").asText(), path);
            }
        }
    }

    @Test
    void escapedSlashesRejectRefusesThemWith400() throws IOException {
        try (TestGateway gw = gateway("reject")) {
            for (String path : new String[] {"/public/..%2fadmin/x", "/public/a%2Fb", "/public/a%5cb", "/admin%2Fx"}) {
                int before = requestsUpstream();
                String response = get(gw, path, "t-alice");
                assertEquals(400, RawHttp.status(response), path + ": " + response);
                assertEquals(before, requestsUpstream(), path + " reached no upstream");
            }
            assertEquals(200, RawHttp.status(get(gw, "/public/a", null)), "paths without them are served");
        }
    }

    @Test
    void escapedSlashesKeepLeavesThemEncodedInsideTheirSegment() throws IOException {
        try (TestGateway gw = gateway("keep")) {
            String response = get(gw, "/public/..%2fadmin/x", null);
            assertEquals(200, RawHttp.status(response), response);
            JsonNode saw = upstreamSaw(response);
            assertEquals("public", saw.get("server").asText(), "'..%2fadmin' is one segment under /public/");
            assertEquals("/public/..%2fadmin/x", saw.get("raw_path").asText(), "forwarded as received");
            assertEquals("/public/a%2Fb", upstreamSaw(get(gw, "/public/a%2Fb", null)).get("raw_path").asText());
        }
    }
}
