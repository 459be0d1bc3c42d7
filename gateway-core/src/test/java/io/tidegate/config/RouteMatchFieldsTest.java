package io.tidegate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a route may match on and what a resource may be called: no control characters or spaces in
 * uris and hosts, no ids made of dots only. The file and the Admin API share these rules.
 */
class RouteMatchFieldsTest {
    private static final String UPSTREAM = "upstreams: [{ id: u, nodes: { \"127.0.0.1:80\": 1 } }]\n";

    @TempDir
    Path dir;

    private List<String> errors(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        return assertThrows(ConfigException.class, () -> new ConfigLoader(Map.<String, String>of()::get).load(file)).errors();
    }

    private void loads(String yaml) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        new ConfigLoader(Map.<String, String>of()::get).load(file);
    }

    /** A YAML double-quoted string holding {@code text}, with every control character escaped. */
    private static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.chars().forEach(c -> out.append(c < 0x20 || c == 0x7F ? String.format("\\x%02x", c) : String.valueOf((char) c)));
        return out.append('"').toString();
    }

    @Test
    void aUriWithAControlCharacterOrASpaceIsRefused() throws IOException {
        for (String uri : List.of("/a\r\nX-Injected: 1", "/a\nb", "/a\u0000", "/a\tb", "/a\u007F", "/a b", "/a\u001Fb")) {
            assertEquals(List.of("routes[0].uri: must not contain control characters or spaces"),
                    errors("routes: [{ id: 1, uri: " + quoted(uri) + ", upstream_id: u }]\n" + UPSTREAM), quoted(uri));
        }
    }

    @Test
    void eachOfSeveralUrisIsCheckedAndNamedByPosition() throws IOException {
        assertEquals(List.of("routes[0].uris[1]: must not contain control characters or spaces",
                        "routes[0].uris[2]: must start with /",
                        "routes[0].uris[2]: must not contain control characters or spaces"),
                errors("routes: [{ id: 1, uris: [/ok, " + quoted("/x\n") + ", " + quoted(" /y") + "], upstream_id: u }]\n" + UPSTREAM));
    }

    @Test
    void hostsOfRoutesAndServicesAndUpstreamHostRefuseThemToo() throws IOException {
        assertEquals(List.of(
                        "upstreams[0].upstream_host: must not contain control characters or spaces",
                        "services[0].hosts[0]: must not contain control characters or spaces",
                        "routes[0].host: must not contain control characters or spaces",
                        "routes[1].hosts[1]: must not contain control characters or spaces"),
                errors("""
                        upstreams: [{ id: u, nodes: { "127.0.0.1:80": 1 }, pass_host: rewrite, upstream_host: %s }]
                        services: [{ id: s, hosts: [%s], upstream_id: u }]
                        routes:
                          - { id: 1, uri: /a, host: %s, upstream_id: u }
                          - { id: 2, uri: /b, hosts: [ok.example.com, %s], upstream_id: u }
                        """.formatted(quoted("a.example.com\r\nX-Evil: 1"), quoted("a.example.com\u0000"),
                        quoted("a.example.com "), quoted("b.example.com\n"))));
    }

    @Test
    void idsOfDotsOnlyAreRefusedWhereverAnIdIsRead() throws IOException {
        assertEquals(List.of(
                        "upstreams[0].id: must not consist of dots only",
                        "services[0].id: must not consist of dots only",
                        "services[0].upstream_id: must not consist of dots only",
                        "routes[0].id: must not consist of dots only",
                        "routes[1].id: must not consist of dots only",
                        "routes[2].service_id: must not consist of dots only",
                        "global_rules[0].id: must not consist of dots only"),
                errors("""
                        upstreams: [{ id: "..", nodes: { "127.0.0.1:80": 1 } }]
                        services: [{ id: ".", upstream_id: ".." }]
                        routes:
                          - { id: "..", uri: /a, plugins: {} }
                          - { id: "...", uri: /b, plugins: {} }
                          - { id: 3, uri: /c, service_id: "." }
                        global_rules: [{ id: ".", plugins: {} }]
                        """));
    }

    @Test
    void dotsAmongOtherCharactersAndOrdinaryUrisAndHostsStillLoad() throws Exception {
        loads("""
                upstreams: [{ id: v1.2, nodes: { "127.0.0.1:80": 1 }, pass_host: rewrite, upstream_host: internal.example.com }]
                routes:
                  - { id: .hidden, uri: "/files/*path", hosts: ["*.example.com", "api.example.com:8080"], upstream_id: v1.2 }
                  - { id: a..b, uris: ["/user/:name", "/caf%C3%A9", "/a~b!$&'()+,;=@"], host: "[::1]", upstream_id: v1.2 }
                """);
    }
}
