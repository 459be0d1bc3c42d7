package io.tidegate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * APISIX's API-driven standalone mode: the Admin API without etcd, where {@code PUT
 * /apisix/admin/configs} replaces the whole configuration, and the checks that write nothing.
 */
class AdminStandaloneTest {
    private static final String KEY = "standalone-admin-key";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");

    @TempDir
    Path dir;
    private TestGateway gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private TestGateway start(String stateFile) {
        gateway = TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  admin: { address: "127.0.0.1:0", api_key: %s%s }
                """.formatted(dir.resolve("plugins"), KEY, stateFile == null ? "" : ", state_file: " + stateFile));
        return gateway;
    }

    private HttpResponse<String> admin(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().adminAddress().getPort()
                + "/apisix/admin" + path)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).header("X-API-KEY", KEY);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String route(String uri) {
        return "{\"routes\":[{\"id\":\"r1\",\"uri\":\"" + uri + "\",\"upstream\":{\"nodes\":{\"" + upstream.address() + "\":1}}}]}";
    }

    @Test
    void aPutReplacesTheWholeConfigurationAndServesAtOnce() throws Exception {
        start(null);
        JsonNode empty = TestGateway.json(admin("GET", "/configs", null));
        assertEquals(0, empty.get("routes_conf_version").asInt());
        assertEquals(13, empty.size(), "every list's version, as APISIX lists them: " + empty);
        assertEquals(404, gateway.get("/hello").statusCode());

        HttpResponse<String> put = admin("PUT", "/configs", route("/hello"), "X-Digest", "d1", "Content-Type", "application/json");
        assertEquals(202, put.statusCode(), put.body());
        assertEquals("d1", put.headers().firstValue("X-Digest").orElse(null));
        assertTrue(put.headers().firstValue("X-Last-Modified").isPresent());
        assertEquals(200, gateway.get("/hello").statusCode(), "served when the PUT is answered");

        HttpResponse<String> get = admin("GET", "/configs", null);
        JsonNode read = TestGateway.json(get);
        assertEquals(1, read.get("routes_conf_version").asInt());
        assertEquals(1, read.get("upstreams_conf_version").asInt());
        assertEquals("/hello", read.at("/routes/0/uri").asText());
        assertEquals("d1", read.get("X-Digest").asText());
        assertEquals("d1", get.headers().firstValue("X-Digest").orElse(null));
        assertEquals("d1", admin("HEAD", "/configs", null).headers().firstValue("X-Digest").orElse(null));

        // the next PUT replaces everything: /hello is gone
        assertEquals(202, admin("PUT", "/configs", route("/other"), "X-Digest", "d2").statusCode());
        assertEquals(404, gateway.get("/hello").statusCode());
        assertEquals(200, gateway.get("/other").statusCode());
    }

    @Test
    void theSameDigestChangesNothingAndAMissingOneIsRefused() throws Exception {
        start(null);
        assertEquals(202, admin("PUT", "/configs", route("/hello"), "X-Digest", "same").statusCode());
        HttpResponse<String> again = admin("PUT", "/configs", route("/changed"), "X-Digest", "same");
        assertEquals(204, again.statusCode());
        assertEquals(200, gateway.get("/hello").statusCode());
        assertEquals(404, gateway.get("/changed").statusCode());

        HttpResponse<String> noDigest = admin("PUT", "/configs", route("/changed"));
        assertEquals(400, noDigest.statusCode());
        assertEquals("{\"error_msg\":\"missing digest header\"}\n", noDigest.body());
    }

    @Test
    void anInvalidConfigurationNamesTheFieldAndTheOldOneKeepsServing() throws Exception {
        start(null);
        assertEquals(202, admin("PUT", "/configs", route("/hello"), "X-Digest", "d1").statusCode());
        HttpResponse<String> bad = admin("PUT", "/configs",
                "{\"routes\":[{\"id\":\"r1\",\"uri\":\"/new\",\"upstream\":{\"nodes\":{}}}]}", "X-Digest", "d2");
        assertEquals(400, bad.statusCode());
        assertEquals("routes[0].upstream.nodes: must not be empty", TestGateway.json(bad).get("error_msg").asText());
        HttpResponse<String> dangling = admin("PUT", "/configs", "{\"routes\":[{\"uri\":\"/new\",\"upstream_id\":\"gone\"}]}",
                "X-Digest", "d3");
        assertEquals(400, dangling.statusCode(), "references are checked before anything changes: " + dangling.body());
        assertTrue(TestGateway.json(dangling).get("error_msg").asText().startsWith("routes[0].upstream_id:"), dangling.body());
        HttpResponse<String> notJson = admin("PUT", "/configs", "{\"routes\": [", "X-Digest", "d4");
        assertEquals(400, notJson.statusCode());
        assertTrue(notJson.body().startsWith("{\"error_msg\":\"invalid request body: "), notJson.body());
        HttpResponse<String> unsupported = admin("PUT", "/configs", "{\"stream_routes\":[{\"id\":\"s\"}]}", "X-Digest", "d5");
        assertEquals(400, unsupported.statusCode());
        assertEquals("stream_routes: is not supported", TestGateway.json(unsupported).get("error_msg").asText());

        HttpResponse<String> typo = admin("PUT", "/configs", "{\"services\":[{\"id\":\"s\",\"plugins\":{\"key-aut\":{}}}]}", "X-Digest", "d6");
        assertEquals(400, typo.statusCode(), "as APISIX: an unknown plugin is refused when written");
        assertEquals("services[0].plugins.key-aut: unknown plugin (no loaded jar provides it)", TestGateway.json(typo).get("error_msg").asText());

        assertEquals(200, gateway.get("/hello").statusCode());
        assertEquals(404, gateway.get("/new").statusCode());
        assertEquals("d1", TestGateway.json(admin("GET", "/configs", null)).get("X-Digest").asText(), "nothing was stored");
    }

    @Test
    void conf_versionsDecideWhichListsAreReplaced() throws Exception {
        start(null);
        assertEquals(202, admin("PUT", "/configs", "{\"routes_conf_version\":10," + route("/hello").substring(1),
                "X-Digest", "d1").statusCode());
        HttpResponse<String> stale = admin("PUT", "/configs", "{\"routes_conf_version\":9," + route("/other").substring(1),
                "X-Digest", "d2");
        assertEquals(400, stale.statusCode());
        assertEquals("routes_conf_version must be greater than or equal to (10)", TestGateway.json(stale).get("error_msg").asText());
        // the same version: the list is kept as it is, whatever the body holds
        assertEquals(202, admin("PUT", "/configs", "{\"routes_conf_version\":10," + route("/other").substring(1),
                "X-Digest", "d3").statusCode());
        assertEquals(200, gateway.get("/hello").statusCode());
        assertEquals(404, gateway.get("/other").statusCode());
        HttpResponse<String> notANumber = admin("PUT", "/configs", "{\"routes_conf_version\":\"11\"}", "X-Digest", "d4");
        assertEquals(400, notANumber.statusCode());
        assertEquals("routes_conf_version must be a number", TestGateway.json(notANumber).get("error_msg").asText());
    }

    @Test
    void anItemWithTheModifiedIndexItHasIsKeptAsItIs() throws Exception {
        start(null);
        String item = "{\"routes\":[{\"id\":\"r1\",\"uri\":\"%s\",\"modifiedIndex\":%d,\"upstream\":{\"nodes\":{\"" + upstream.address() + "\":1}}}]}";
        assertEquals(202, admin("PUT", "/configs", item.formatted("/one", 1), "X-Digest", "d1").statusCode());
        assertEquals(202, admin("PUT", "/configs", item.formatted("/two", 1), "X-Digest", "d2").statusCode());
        assertEquals(200, gateway.get("/one").statusCode(), "same modifiedIndex: the client says r1 did not change");
        assertEquals(404, gateway.get("/two").statusCode());
        assertEquals(202, admin("PUT", "/configs", item.formatted("/two", 2), "X-Digest", "d3").statusCode());
        assertEquals(200, gateway.get("/two").statusCode());
        assertEquals(404, gateway.get("/one").statusCode());
    }

    @Test
    void yamlInAndOut() throws Exception {
        start(null);
        String yaml = """
                routes:
                  - uri: /hello
                    modifiedIndex: 7
                    upstream:
                      nodes:
                        "%s": 1
                """.formatted(upstream.address());
        HttpResponse<String> put = admin("PUT", "/configs", yaml, "X-Digest", "y1", "Content-Type", "application/yaml");
        assertEquals(202, put.statusCode(), put.body());
        assertEquals(200, gateway.get("/hello").statusCode());
        HttpResponse<String> get = admin("GET", "/configs", null, "Accept", "application/yaml");
        assertEquals("application/yaml", get.headers().firstValue("Content-Type").orElse(null));
        assertTrue(get.body().contains("uri: \"/hello\"") || get.body().contains("uri: /hello"), get.body());
        assertTrue(get.body().contains("modifiedIndex: 7"), "kept as given: " + get.body());
    }

    @Test
    void theStateFileCarriesTheConfigurationAcrossARestartAndOnlyItsOwnerReadsIt() throws Exception {
        Path state = dir.resolve("state/configs.json");
        start(state.toString());
        assertEquals(202, admin("PUT", "/configs", route("/hello"), "X-Digest", "d1").statusCode());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
        gateway.close();

        start(state.toString());
        assertEquals(200, gateway.get("/hello").statusCode(), "served from the state file, before any PUT");
        assertEquals("d1", TestGateway.json(admin("GET", "/configs", null)).get("X-Digest").asText());

        // a refused PUT leaves the file as it was
        assertEquals(400, admin("PUT", "/configs", "{\"routes\":[{\"uri\":\"nope\"}]}", "X-Digest", "d2").statusCode());
        assertTrue(Files.readString(state).contains("\"d1\""));
        assertFalse(Files.exists(dir.resolve("state/configs.json.tmp")));
    }

    @Test
    void aBrokenStateFileStopsTheStartNamingIt() throws Exception {
        Path state = dir.resolve("configs.json");
        Files.writeString(state, "{\"routes\":[{\"uri\":\"/x\",\"upstream\":{\"nodes\":{}}}]}");
        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> start(state.toString()));
        assertTrue(refused.getMessage().contains(state + ".routes[0].upstream.nodes: must not be empty"), refused.getMessage());
    }

    @Test
    void withoutEtcdOnlyTheWholeConfigurationIsWritableAndTheKeyIsRequired() throws Exception {
        start(null);
        HttpResponse<String> one = admin("PUT", "/routes/1", "{\"uri\":\"/x\"}");
        assertEquals(404, one.statusCode());
        HttpRequest anonymous = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().adminAddress().getPort()
                + "/apisix/admin/configs")).PUT(HttpRequest.BodyPublishers.ofString(route("/hello"))).header("X-Digest", "x").build();
        assertEquals(401, CLIENT.send(anonymous, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(404, gateway.get("/hello").statusCode());
    }

    @Test
    void pluginsReloadLoadsAJarAtOnce() throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        start(null);
        assertEquals("[]\n", admin("GET", "/plugins/list", null).body());
        io.tidegate.testing.TestPluginJars.install(dir.resolve("plugins"), "auth.jar", "auth", "1",
                io.tidegate.testplugins.HeaderAuthPlugin.class);
        HttpResponse<String> reload = admin("PUT", "/plugins/reload", null);
        assertEquals(200, reload.statusCode());
        assertEquals("done", reload.body());
        assertEquals("[\"header-auth\"]\n", admin("GET", "/plugins/list", null).body(), "loaded when the answer came");
        assertEquals(405, admin("GET", "/plugins/reload", null).statusCode());
    }

    @Test
    void validationListsEveryErrorAndWritesNothing() throws Exception {
        start(null);
        HttpResponse<String> valid = admin("POST", "/configs/validate", route("/hello"));
        assertEquals(200, valid.statusCode());
        assertEquals("{}\n", valid.body());
        HttpResponse<String> invalid = admin("POST", "/configs/validate",
                "{\"routes\":[{\"id\":\"ok\",\"uri\":\"/a\",\"upstream_id\":\"u\"},{\"id\":\"bad\",\"uri\":\"b\",\"upstream_id\":\"u\"}],"
                        + "\"upstreams\":[{\"id\":\"u\",\"nodes\":{}}],\"services_conf_version\":\"x\"}");
        assertEquals(400, invalid.statusCode());
        JsonNode body = TestGateway.json(invalid);
        assertEquals("Configuration validation failed", body.get("error_msg").asText());
        assertEquals(3, body.get("errors").size(), body.toString());
        assertEquals("{\"resource_type\":\"services\",\"error\":\"services_conf_version must be a number, got string\"}",
                body.get("errors").get(0).toString());
        assertTrue(body.get("errors").toString().contains(
                "{\"resource_type\":\"routes\",\"resource_id\":\"bad\",\"index\":1,\"error\":\"uri: must start with /\"}"), body.toString());
        assertTrue(body.get("errors").toString().contains(
                "{\"resource_type\":\"upstreams\",\"resource_id\":\"u\",\"index\":0,\"error\":\"nodes: must not be empty\"}"), body.toString());
        assertEquals(404, gateway.get("/hello").statusCode(), "nothing was served");

        assertEquals(200, admin("POST", "/schema/validate/routes", "{\"uri\":\"/a\",\"upstream_id\":\"anything\"}").statusCode());
        HttpResponse<String> badRoute = admin("POST", "/schema/validate/routes", "{\"uri\":\"a\",\"upstream_id\":\"u\"}");
        assertEquals(400, badRoute.statusCode());
        assertEquals("{\"error_msg\":\"uri: must start with /\"}\n", badRoute.body());
        HttpResponse<String> unknown = admin("POST", "/schema/validate/stream_routes", "{}");
        assertEquals(404, unknown.statusCode());
        assertEquals("{\"error_msg\":\"Unsupported resource type: stream_routes\"}\n", unknown.body());
    }
}
