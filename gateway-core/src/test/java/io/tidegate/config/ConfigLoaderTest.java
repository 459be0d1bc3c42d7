package io.tidegate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.Fifos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Configuration reading and validation: exact, path-named messages, all reported at once. */
class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path file(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private GatewayConfig load(String yaml) throws Exception {
        return new ConfigLoader(Map.<String, String>of()::get).load(file("config.yaml", yaml));
    }

    private List<String> errors(String yaml) throws IOException {
        Path file = file("config.yaml", yaml);
        return assertThrows(ConfigException.class, () -> new ConfigLoader(Map.<String, String>of()::get).load(file)).errors();
    }

    @Test
    void readsAValidConfiguration() throws Exception {
        GatewayConfig config = load("""
                tidegate:
                  threads: 3
                  listeners: [{ address: "127.0.0.1:9080" }, { address: "[::1]:9081" }]
                  client_max_body_size: 10m
                  timeout: { connect: 2, send: 3, read: 4.5 }
                routes:
                  - id: 1
                    uris: [/a, "/b/*"]
                    hosts: [Api.Example.com, "*.example.org"]
                    methods: [GET, POST]
                    priority: 3
                    vars: [["arg_x", "==", "1"], ["http_y", "!", "~~", "z"]]
                    upstream_id: up
                upstreams:
                  - id: up
                    nodes: [{ host: "[::1]", port: 8080, weight: 2 }, { host: backend.local, port: 81, weight: 1, priority: 0 }]
                    retries: 2
                    pass_host: rewrite
                    upstream_host: internal
                """);
        assertEquals(3, config.server().ioThreads());
        assertEquals(List.of(new ListenerSettings("127.0.0.1", 9080), new ListenerSettings("::1", 9081)), config.server().listeners());
        assertEquals(10L << 20, config.server().clientMaxBodySize());
        assertEquals(new Timeouts(2, 3, 4.5), config.server().defaultTimeout());
        Route route = config.resources().routes().get(0);
        assertEquals("1", route.id());
        assertEquals(List.of("/a", "/b/*"), route.uris());
        assertEquals(List.of("api.example.com", "*.example.org"), route.hosts());
        assertEquals(java.util.Set.of("GET", "POST"), route.methods());
        assertEquals(new VarExpression("http_y", true, "~~", com.fasterxml.jackson.databind.node.TextNode.valueOf("z")), route.vars().get(1));
        Upstream upstream = config.resources().upstreams().get(0);
        assertEquals(List.of(new UpstreamNode("::1", 8080, 2, 0), new UpstreamNode("backend.local", 81, 1, 0)), upstream.nodes());
        assertEquals(2, upstream.effectiveRetries());
        assertEquals("internal", upstream.upstreamHost());
    }

    @Test
    void defaultsFollowApisix() throws Exception {
        GatewayConfig config = load("""
                routes:
                  - { id: 1, uri: /x, upstream: { nodes: { "127.0.0.1:1": 1, "127.0.0.1:2": 1, "h": 1 } } }
                """);
        assertEquals(List.of(new ListenerSettings("0.0.0.0", 9080)), config.server().listeners());
        assertEquals(0, config.server().clientMaxBodySize(), "unlimited, as APISIX");
        assertEquals(Timeouts.DEFAULT, config.server().defaultTimeout());
        Route route = config.resources().routes().get(0);
        assertEquals(0, route.priority());
        assertTrue(route.enabled());
        Upstream upstream = route.upstream();
        assertEquals("roundrobin", upstream.type());
        assertEquals("pass", upstream.passHost());
        assertEquals("http", upstream.scheme());
        assertEquals(2, upstream.effectiveRetries(), "nodes - 1");
        assertEquals(KeepalivePool.DEFAULT, upstream.keepalivePool());
        assertEquals(new UpstreamNode("h", 80, 1, 0), upstream.nodes().get(2), "port defaults to 80");
    }

    @Test
    void aNodeWithoutAPortIsOn443ForHttpsAndGrpcsAnd80Otherwise() throws Exception {
        var routes = load("""
                routes:
                  - { uri: /a, upstream: { scheme: http, nodes: { "127.0.0.1": 1 } } }
                  - { uri: /b, upstream: { scheme: grpc, nodes: [{ host: 127.0.0.1, weight: 1 }] } }
                  - { uri: /c, upstream: { scheme: https, nodes: { "127.0.0.1": 1 } } }
                  - { uri: /d, upstream: { scheme: grpcs, nodes: [{ host: 127.0.0.1, weight: 1 }] } }
                  - { uri: /e, upstream: { scheme: grpcs, nodes: { "127.0.0.1:8443": 1 } } }
                """).resources().routes();
        assertEquals(List.of(80, 80, 443, 443, 8443), routes.stream().map(r -> r.upstream().nodes().get(0).port()).toList(),
                "as APISIX (t/node/grpc-proxy.t TEST 5-6)");
    }

    @Test
    void reportsEveryErrorWithItsPath() throws IOException {
        List<String> errors = errors("""
                tidegate:
                  threads: many
                  listeners: [{ address: "nowhere" }]
                  colour: blue
                routes:
                  - id: 1
                    uri: /a
                    uris: [/b]
                    upstream_id: missing
                  - id: 1
                    uri: relative
                    upstream: { nodes: {} }
                  - id: 3
                    uri: /c
                    host: a.example.com
                    hosts: [b.example.com]
                    methods: [GET, FETCH]
                    priority: high
                    service_id: nope
                    plugin_config_id: pc
                    timeout: { connect: 1, read: 0 }
                    status: 2
                    name: ""
                    bogus: true
                  - id: "bad id!"
                  - { uri: /x }
                upstreams:
                  - id: u1
                    nodes: { "127.0.0.1:99999": 1, "127.0.0.1:80": -1 }
                    type: chash
                    pass_host: rewrite
                    retries: -1
                  - nodes: [{ host: h, port: 80 }]
                    scheme: grpc2
                    tls: { client_cert: "PEM" }
                  - { id: u1, nodes: { "h:1": 1 } }
                services:
                  - { id: s1, upstream_id: ghost }
                consumers:
                  - { username: "not ok" }
                  - { username: ok }
                  - { username: ok }
                """);
        assertEquals(List.of(
                "tidegate.colour: unknown field",
                "tidegate.threads: must be an integer",
                "tidegate.listeners[0].address: must be host:port (IPv6 as [addr]:port), port 0-65535",
                "upstreams[0].key: is required when type is chash (unless hash_on is consumer)",
                "upstreams[0].nodes[\"127.0.0.1:99999\"]: must be host or host:port (port 1-65535, IPv6 in brackets)",
                "upstreams[0].nodes[\"127.0.0.1:80\"]: weight must be an integer >= 0",
                "upstreams[0].retries: must be >= 0",
                "upstreams[0].upstream_host: is required when pass_host is rewrite",
                "upstreams[1].scheme: must be one of http, https, grpc, grpcs",
                "upstreams[1].tls: client_cert and client_key must be given together",
                "upstreams[1].nodes[0].weight: is required",
                "routes[0]: uri and uris are mutually exclusive",
                "routes[1].uri: must start with /",
                "routes[1].upstream.nodes: must not be empty",
                "routes[2].bogus: unknown field",
                "routes[2].name: length must be between 1 and 256",
                "routes[2]: host and hosts are mutually exclusive",
                "routes[2].methods[1]: must be one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, CONNECT, TRACE, PURGE",
                "routes[2].priority: must be an integer",
                "routes[2].timeout.send: is required",
                "routes[2].timeout.read: must be > 0",
                "routes[2].status: must be <= 1",
                "routes[3].id: must match ^[a-zA-Z0-9-_.]+$",
                "routes[3]: one of uri, uris is required",
                "routes[3]: at least one of plugins, plugin_config_id, upstream, upstream_id, service_id is required",
                "routes[4]: at least one of plugins, plugin_config_id, upstream, upstream_id, service_id is required",
                "consumers[0].username: must match ^[a-zA-Z0-9_\\-]+$",
                "upstreams[2].id: duplicate id \"u1\" (first used at upstreams[0])",
                "routes[1].id: duplicate id \"1\" (first used at routes[0])",
                "consumers[2].username: duplicate username \"ok\" (first used at consumers[1])",
                "routes[0].upstream_id: upstream \"missing\" does not exist",
                "routes[2].service_id: service \"nope\" does not exist",
                "routes[2].plugin_config_id: plugin_config \"pc\" does not exist",
                "services[0].upstream_id: upstream \"ghost\" does not exist"), errors);
    }

    @Test
    void healthChecksTakeApisixDefaults() throws Exception {
        Upstream upstream = load("""
                routes:
                  - id: 1
                    uri: /x
                    upstream: { nodes: { "127.0.0.1:1": 1 }, checks: { active: {}, passive: {} } }
                """).resources().routes().get(0).upstream();
        HealthChecks.Active active = upstream.checks().active();
        assertEquals(new HealthChecks.Active("http", 1, 10, "/", null, null, true, List.of(), 1, 1,
                new HealthChecks.Thresholds(List.of(200, 302), 2, List.of(429, 404, 500, 501, 502, 503, 504, 505), 5, 2, 3), ""),
                active);
        HealthChecks.Thresholds passive = upstream.checks().passive().thresholds();
        assertEquals("http", upstream.checks().passive().type());
        assertEquals(List.of(200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308),
                passive.healthyStatuses());
        assertEquals(new HealthChecks.Thresholds(passive.healthyStatuses(), 5, List.of(429, 500, 503), 5, 2, 7), passive);
    }

    @Test
    void reportsHealthCheckErrorsWithTheirPaths() throws IOException {
        List<String> errors = errors("""
                upstreams:
                  - id: a
                    nodes: { "127.0.0.1:1": 1 }
                    checks: { passive: {} }
                  - id: b
                    nodes: { "127.0.0.1:1": 1 }
                    checks:
                      active:
                        type: udp
                        timeout: 0
                        http_path: health
                        port: 70000
                        req_headers: ["X-Ok: 1", "broken"]
                        healthy: { interval: -1, http_statuses: [200, 200, 700], successes: 0 }
                        unhealthy: { tcp_failures: 255, colour: red }
                      passive:
                        unhealthy: { http_statuses: [] }
                """);
        assertEquals(List.of(
                "upstreams[0].checks: active is required when passive is present",
                "upstreams[1].checks.active.type: must be one of http, https, tcp, grpc, grpcs",
                "upstreams[1].checks.active.timeout: must be > 0",
                "upstreams[1].checks.active.http_path: must start with /",
                "upstreams[1].checks.active.port: must be <= 65535",
                "upstreams[1].checks.active.req_headers[1]: must be \"Name: value\" on one line",
                "upstreams[1].checks.active.unhealthy.colour: unknown field",
                "upstreams[1].checks.active.healthy.interval: must be > 0",
                "upstreams[1].checks.active.healthy.http_statuses[1]: duplicate status 200",
                "upstreams[1].checks.active.healthy.http_statuses[2]: must be an integer from 200 to 599",
                "upstreams[1].checks.active.healthy.successes: must be >= 1",
                "upstreams[1].checks.active.unhealthy.tcp_failures: must be <= 254",
                "upstreams[1].checks.passive.unhealthy.http_statuses: must be a non-empty array of status codes"), errors);
    }

    @Test
    void etcdAndAdminSettingsAreValidated() throws Exception {
        List<String> errors = errors("""
                tidegate:
                  etcd: { endpoints: ["https://etcd:2379", "etcd:2379", "http://etcd-2:2379"], prefix: apisix/, user: root }
                  admin: { address: "127.0.0.1:9180", api_key: short }
                routes:
                  - { id: 1, uri: /a, upstream: { nodes: { "127.0.0.1:1": 1 } } }
                """);
        assertEquals(List.of(
                "tidegate.etcd.endpoints[1]: must be http://host:port or https://host:port",
                "tidegate.etcd.endpoints[2]: must use the same scheme as endpoints[0]",
                "tidegate.etcd.prefix: must start with / and not end with it",
                "tidegate.etcd: user and password must be given together",
                "tidegate.admin.api_key: must be at least 8 characters",
                "routes: must not be set when tidegate.etcd is used (resources live in etcd)"), errors);
        // without etcd the Admin API serves the whole configuration (API-driven standalone): none in the file
        assertEquals(List.of("routes: must not be set when tidegate.admin runs without tidegate.etcd "
                        + "(the configuration is PUT to /apisix/admin/configs; with tidegate.admin.read_only: true the resources come from this file)"),
                errors("tidegate:\n  admin: { api_key: long-enough-key }\nroutes: []\n"));
        // a read-only Admin API (and dashboard) over the file's resources
        GatewayConfig readOnly = load("tidegate:\n  admin: { api_key: long-enough-key, read_only: true }\nroutes: [{ uri: /a, upstream: { nodes: { \"127.0.0.1:1\": 1 } } }]\n");
        assertTrue(readOnly.server().admin().readOnly());
        assertEquals(1, readOnly.resources().routes().size());
        assertEquals(List.of("tidegate.admin.state_file: must not be set with read_only (nothing is written)"),
                errors("tidegate:\n  admin: { api_key: long-enough-key, read_only: true, state_file: s.json }\n"));
        assertEquals(List.of("tidegate.admin.state_file: must not be set with tidegate.etcd (resources live in etcd)"),
                errors("tidegate:\n  etcd: { endpoints: [\"http://etcd:2379\"] }\n"
                        + "  admin: { api_key: long-enough-key, state_file: configs.json }\n"));
    }

    @Test
    void apisixRefusesWhatItsSchemaRefuses() throws Exception {
        assertEquals(List.of("upstreams[0].nodes[0].host: an IPv6 address must be enclosed with '[' and ']'",
                        "routes[0].methods[1]: must not repeat GET"),
                errors("""
                        routes:
                          - { id: r, uri: /a, methods: [GET, GET], upstream_id: u }
                        upstreams:
                          - { id: u, nodes: [{ host: "::1", port: 80, weight: 1 }] }
                        """));
        assertEquals(List.of("upstreams[0].key: \"args_id\" is not a variable (e.g. remote_addr, uri, arg_NAME, http_NAME, cookie_NAME)"),
                errors("upstreams:\n  - { id: u, type: chash, key: args_id, nodes: { \"127.0.0.1:1\": 1 } }\n"));
        assertEquals("arg_id", load("upstreams:\n  - { id: u, type: chash, key: arg_id, nodes: { \"127.0.0.1:1\": 1 } }\n")
                .resources().upstreams().get(0).key());
        assertEquals(List.of(new UpstreamNode("127.0.0.1", 1980, 1, 0)),
                load("upstreams:\n  - { id: u, nodes: [{ host: \"127.0.0.1:1980\", weight: 1 }] }\n").resources().upstreams().get(0).nodes(),
                "a host with its port and no port field, as APISIX takes it");
    }

    @Test
    void etcdTlsSettingsAreValidatedAndTheirFilesRead(@TempDir Path dir) throws IOException {
        assertEquals(List.of("tidegate.etcd.tls: needs https:// endpoints"),
                errors("tidegate:\n  etcd: { endpoints: [\"http://etcd:2379\"], tls: { verify: false } }\n"));
        Files.writeString(dir.resolve("not-a-cert.pem"), "hello");
        List<String> errors = errors("""
                tidegate:
                  etcd:
                    endpoints: ["https://etcd:2379"]
                    tls: { verify: maybe, ca_path: %s, cert_path: %s, sni: etcd }
                """.formatted(dir.resolve("not-a-cert.pem"), dir.resolve("missing.crt")));
        assertEquals(5, errors.size(), errors.toString());
        assertEquals("tidegate.etcd.tls.sni: unknown field", errors.get(0));
        assertEquals("tidegate.etcd.tls.verify: must be a boolean", errors.get(1));
        assertEquals("tidegate.etcd.tls: cert_path and key_path must be given together", errors.get(2));
        assertTrue(errors.get(3).startsWith("tidegate.etcd.tls.ca_path: " + dir.resolve("not-a-cert.pem")), errors.get(3));
        assertTrue(errors.get(4).startsWith("tidegate.etcd.tls.cert_path: cannot read " + dir.resolve("missing.crt")), errors.get(4));
    }

    @Test
    void rejectsWrongTypesForWholeSections() throws IOException {
        assertEquals(List.of("zones: unknown field", "upstreams[0]: must be an object", "routes: must be a list"),
                errors("""
                        routes: { id: 1 }
                        upstreams: [ "127.0.0.1:80" ]
                        zones: []
                        """));
    }

    @Test
    void reportsYamlSyntaxWithLine() throws IOException {
        List<String> errors = errors("routes:\n  - id: 1\n   uri: /bad-indent\n");
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).startsWith(dir.resolve("config.yaml") + ": line 3, column "), errors.get(0));
    }

    @Test
    void rejectsDuplicateKeys() throws IOException {
        List<String> errors = errors("routes: []\nroutes: []\n");
        assertTrue(errors.get(0).contains("Duplicate field 'routes'"), errors.toString());
    }

    @Test
    void missingFileIsAClearError() {
        Path missing = dir.resolve("absent.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().load(missing));
        assertEquals(List.of(missing + ": file not found"), e.errors());
    }

    @Test
    void readsApisixStandaloneFileWithEnvironmentPlaceholders() throws Exception {
        file("apisix.yaml", """
                routes:
                  - id: 1
                    uri: ${{ROUTE_URI}}
                    upstream:
                      nodes:
                        "${{UPSTREAM_HOST:=127.0.0.1}}:${{UPSTREAM_PORT:=8080}}": 1
                #END
                """);
        Path config = file("config.yaml", "tidegate:\n  resources_file: apisix.yaml\n");
        GatewayConfig loaded = new ConfigLoader(Map.of("ROUTE_URI", "/from-env", "UPSTREAM_PORT", "9")::get).load(config);
        Route route = loaded.resources().routes().get(0);
        assertEquals(List.of("/from-env"), route.uris());
        assertEquals(new UpstreamNode("127.0.0.1", 9, 1, 0), route.upstream().nodes().get(0));
    }

    @Test
    void itemsWithoutAnIdAreKeyedByPositionAsApisixKeysThem() throws Exception {
        file("apisix.yaml", """
                routes:
                  - uri: /first
                    upstream: { nodes: { "127.0.0.1:8080": 1 } }
                  - id: named
                    uri: /named
                    upstream: { nodes: { "127.0.0.1:8080": 1 } }
                  - uri: /third
                    upstream: { nodes: { "127.0.0.1:8080": 1 } }
                upstreams:
                  - nodes: { "127.0.0.1:8081": 1 }
                #END
                """);
        Path config = file("config.yaml", "tidegate:\n  resources_file: apisix.yaml\n");
        GatewayConfig loaded = new ConfigLoader(Map.<String, String>of()::get).load(config);
        assertEquals(List.of("arr_1", "named", "arr_3"), loaded.resources().routes().stream().map(Route::id).toList());
        assertEquals("arr_1", loaded.resources().upstreams().get(0).id());
    }

    @Test
    void aPositionalIdStillCannotBeTakenTwice() throws IOException {
        Path config = file("config.yaml", """
                routes:
                  - { uri: /a, upstream: { nodes: { "127.0.0.1:8080": 1 } } }
                  - { id: arr_1, uri: /b, upstream: { nodes: { "127.0.0.1:8080": 1 } } }
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.<String, String>of()::get).load(config));
        assertEquals(List.of("routes[1].id: duplicate id \"arr_1\" (first used at routes[0])"), e.errors());
    }

    @Test
    void standaloneFileErrorsNameTheFile() throws IOException {
        file("apisix.yaml", """
                routes:
                  - { id: 1, uri: /x, upstream_id: nowhere }
                stream_routes: []
                #END
                """);
        Path config = file("config.yaml", "tidegate:\n  resources_file: apisix.yaml\nroutes: []\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.<String, String>of()::get).load(config));
        assertEquals(List.of(
                "routes: must not be set when tidegate.resources_file is used (resources live in one place)",
                "apisix.yaml.stream_routes: is not supported",
                "apisix.yaml.routes[0].upstream_id: upstream \"nowhere\" does not exist"), e.errors());
    }

    @Test
    void unsetEnvironmentVariableWithoutDefaultIsAnError() throws IOException {
        Path config = file("config.yaml", "routes:\n  - { id: 1, uri: \"${{NOPE}}\", upstream_id: x }\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.<String, String>of()::get).load(config));
        assertEquals(List.of(config + ": line 2: environment variable NOPE is not set and ${{NOPE}} has no default"), e.errors());
    }

    // --- YAML anchors, aliases and merge keys: an alias stands for a copy of its anchored node ---

    @Test
    void anAliasToAnAnchoredScalarIsItsValueNotItsName() throws Exception {
        GatewayConfig config = load("""
                consumers:
                  - username: bob
                    plugins: { key-auth: { key: &bobkey secret-bob-1 } }
                  - username: carol
                    plugins: { key-auth: { key: *bobkey } }
                """);
        Consumer carol = config.resources().consumers().get(1);
        assertEquals("secret-bob-1", carol.plugins().get("key-auth").get("key").asText());
    }

    @Test
    void aliasesToMappingsAndSequencesAreCopiesOfThem() throws Exception {
        GatewayConfig config = load("""
                upstreams:
                  - id: a
                    nodes: &pool [{ host: 10.0.0.1, port: 80, weight: 1 }, { host: 10.0.0.2, port: 8080, weight: 3 }]
                    timeout: &slow { connect: 1, send: 2, read: 30 }
                  - id: b
                    nodes: *pool
                    timeout: *slow
                    retries: &none 0
                  - { id: c, nodes: *pool, retries: *none }
                """);
        List<Upstream> upstreams = config.resources().upstreams();
        List<UpstreamNode> pool = List.of(new UpstreamNode("10.0.0.1", 80, 1, 0), new UpstreamNode("10.0.0.2", 8080, 3, 0));
        assertEquals(pool, upstreams.get(0).nodes());
        assertEquals(pool, upstreams.get(1).nodes());
        assertEquals(pool, upstreams.get(2).nodes());
        assertEquals(new Timeouts(1, 2, 30), upstreams.get(1).timeout());
        assertEquals(0, upstreams.get(2).retries(), "an aliased number stays a number");
    }

    @Test
    void mergeKeysFollowYaml11() throws Exception {
        GatewayConfig config = load("""
                upstreams:
                  - &base
                    id: base
                    nodes: { "10.0.0.1:80": 1 }
                    retries: 1
                    pass_host: node
                  - &tuned
                    id: tuned
                    nodes: { "10.0.0.2:80": 1 }
                    retries: 2
                  - <<: *base
                    id: merged-one
                  - <<: [*tuned, *base]
                    id: merged-two
                  - id: explicit-first
                    retries: 0
                    <<: *base
                """);
        List<Upstream> upstreams = config.resources().upstreams();
        Upstream one = upstreams.get(2);
        assertEquals("merged-one", one.id(), "an explicit key wins over the merged one");
        assertEquals(List.of(new UpstreamNode("10.0.0.1", 80, 1, 0)), one.nodes());
        assertEquals(1, one.retries());
        assertEquals("node", one.passHost());
        Upstream two = upstreams.get(3);
        assertEquals("merged-two", two.id());
        assertEquals(List.of(new UpstreamNode("10.0.0.2", 80, 1, 0)), two.nodes(), "an earlier mapping in the list wins");
        assertEquals(2, two.retries());
        assertEquals("node", two.passHost(), "keys only a later mapping has are merged too");
        Upstream three = upstreams.get(4);
        assertEquals(0, three.retries(), "an explicit key wins even when written before <<");
        assertEquals("node", three.passHost());
    }

    @Test
    void aKeyWrittenTwiceIsStillADuplicateBesideAMerge() throws IOException {
        List<String> errors = errors("""
                upstreams:
                  - &base { id: base, nodes: { "10.0.0.1:80": 1 } }
                  - { <<: *base, id: one, id: two }
                """);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(dir.resolve("config.yaml") + ": line 3, column "), errors.get(0));
        assertTrue(errors.get(0).contains("Duplicate field 'id'"), errors.get(0));
    }

    @Test
    void aMergeKeyNeedsMappings() throws IOException {
        assertEquals(List.of(dir.resolve("config.yaml") + ": line 2, column 18: merge key << takes a mapping or a list of mappings"),
                errors("""
                        upstreams:
                          - { id: u, <<: [just-text], nodes: { "10.0.0.1:80": 1 } }
                        """));
    }

    @Test
    void aQuotedLessLessIsAnOrdinaryKey() throws IOException {
        assertEquals(List.of("upstreams[1].<<: unknown field"), errors("""
                upstreams:
                  - &base { id: base, nodes: { "10.0.0.1:80": 1 } }
                  - { "<<": *base, id: other, nodes: { "10.0.0.1:80": 1 } }
                """));
    }

    @Test
    void anAliasToAnUnknownAnchorIsAnError() throws IOException {
        assertEquals(List.of(dir.resolve("config.yaml") + ": line 3, column 12: alias *nowhere has no anchor &nowhere before it"),
                errors("""
                        upstreams:
                          - id: u
                            nodes: *nowhere
                        """));
    }

    @Test
    void anAliasInsideTheNodeItNamesIsAnError() throws IOException {
        List<String> errors = errors("upstreams: &loop [ { id: u, nodes: *loop } ]\n");
        assertEquals(List.of(dir.resolve("config.yaml") + ": line 1, column 36: alias *loop is inside the node it names (a cycle)"),
                errors);
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anAliasBombIsRefusedQuickly() throws IOException {
        StringBuilder yaml = new StringBuilder("routes:\n  - id: 1\n    uri: /x\n    upstream: { nodes: { \"10.0.0.1:80\": 1 } }\n");
        yaml.append("    labels:\n      l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level <= 9; level++) {
            String previous = "*l" + (level - 1);
            yaml.append("      l").append(level).append(": &l").append(level).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(10, previous))).append("]\n");
        }
        List<String> errors = errors(yaml.toString());
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(dir.resolve("config.yaml") + ": line "), errors.get(0));
        assertTrue(errors.get(0).endsWith("would copy more than 1000000 nodes in all (a limit against alias bombs)"), errors.get(0));
    }

    @Test
    void anAliasCannotNestTheDocumentDeeperThanJacksonAllows() throws IOException {
        String deep = "[".repeat(600) + "]".repeat(600);
        List<String> errors = errors("routes: &deep " + deep + "\nservices: " + "[".repeat(500) + "*deep" + "]".repeat(500) + "\n");
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).endsWith("alias *deep would nest the document deeper than 1000 levels"), errors.get(0));
    }

    // --- what the configuration path may name: only a regular file of a sane size is read ---

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aDeviceIsRefusedWithoutReadingIt() {
        Path zero = Path.of("/dev/zero");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().load(zero));
        assertEquals(List.of("/dev/zero: is not a regular file (a device, FIFO or socket), so it is not read"), e.errors());
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aDeviceNamedAsACertificateIsRefusedWithoutReadingIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, """
                tidegate:
                  ssl_trusted_certificate: /dev/zero
                  listeners: [{ address: "127.0.0.1:0", tls: { cert_path: /dev/zero, key_path: /dev/zero } }]
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().load(file));
        assertEquals(3, e.errors().size(), e.errors().toString());
        e.errors().forEach(error -> assertTrue(error.endsWith("cannot read /dev/zero: is not a regular file (a device, FIFO or socket),"
                + " so it is not read"), error));
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = Fifos.make(dir.resolve("config.yaml"));
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().load(fifo));
        assertEquals(List.of(fifo + ": is not a regular file (a device, FIFO or socket), so it is not read"), e.errors());
    }

    @Test
    void aDirectoryIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().load(dir));
        assertEquals(List.of(dir + ": is a directory, not a file"), e.errors());
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFileOverTheSizeLimitIsRefused() throws IOException {
        Path huge = dir.resolve("huge.yaml");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength((32L << 20) + 1); // sparse: no disk used, but its size says 32 MiB + 1
        }
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().load(huge));
        assertEquals(List.of(huge + ": is 33554433 bytes, more than the 32 MiB a configuration file may have"), e.errors());
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theResourcesFileIsCheckedTheSameWay() throws Exception {
        Path fifo = Fifos.make(dir.resolve("apisix.yaml"));
        Path config = file("config.yaml", "tidegate:\n  resources_file: apisix.yaml\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.<String, String>of()::get).load(config));
        assertEquals(List.of(fifo + ": is not a regular file (a device, FIFO or socket), so it is not read"), e.errors());
    }
}
