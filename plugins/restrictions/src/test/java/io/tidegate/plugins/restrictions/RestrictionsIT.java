package io.tidegate.plugins.restrictions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The four restrictions through the real gateway: what they refuse never reaches the upstream. */
class RestrictionsIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                routes:
                  - { id: ip-ok, uri: /ip-ok, plugins: { ip-restriction: { whitelist: ["10.0.0.0/8", "127.0.0.1"] } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: ip-no, uri: /ip-no, plugins: { ip-restriction: { whitelist: ["10.0.0.0/8"] } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: ip-black, uri: /ip-black, plugins: { ip-restriction: { blacklist: ["127.0.0.0/24"], response_code: 404, message: "go away" } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: ua, uri: /ua, plugins: { ua-restriction: { denylist: ["^curl/", "(?i)bot"] } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: ref, uri: /ref, plugins: { referer-restriction: { whitelist: ["*.example.com", "example.org"] } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: uri, uri: "/files/*", plugins: { uri-blocker: { block_rules: ["\\\\.php$", "^/files/secret"], case_insensitive: true } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: uri-msg, uri: "/msg/*", plugins: { uri-blocker: { block_rules: ["drop"], rejected_code: 410, rejected_msg: "gone" } }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()));
    }

    private static HttpResponse<String> get(TestGateway gw, String path, String header, String value) {
        return gw.send(gw.request(path).header(header, value).GET().build());
    }

    @Test
    void ipRestrictionLetsThroughOnlyWhatItShould() {
        try (TestGateway gw = gateway()) {
            assertEquals(200, gw.get("/ip-ok").statusCode());
            int before = upstream.requestCount();
            HttpResponse<String> refused = gw.get("/ip-no");
            assertEquals(403, refused.statusCode());
            assertEquals("{\"message\":\"Your IP address is not allowed\"}\n", refused.body());
            HttpResponse<String> black = gw.get("/ip-black");
            assertEquals(404, black.statusCode());
            assertEquals("{\"message\":\"go away\"}\n", black.body());
            assertEquals(before, upstream.requestCount(), "nothing refused reached the upstream");
        }
    }

    @Test
    void uaRestrictionMatchesRegexesInTheUserAgent() {
        try (TestGateway gw = gateway()) {
            assertEquals(200, get(gw, "/ua", "User-Agent", "Mozilla/5.0").statusCode());
            HttpResponse<String> curl = get(gw, "/ua", "User-Agent", "curl/8.5.0");
            assertEquals(403, curl.statusCode());
            assertEquals("{\"message\":\"Not allowed\"}\n", curl.body());
            assertEquals(403, get(gw, "/ua", "User-Agent", "  GoogleBOT/2.1").statusCode());
        }
    }

    @Test
    void refererRestrictionChecksTheRefererHost() {
        try (TestGateway gw = gateway()) {
            assertEquals(200, get(gw, "/ref", "Referer", "https://shop.example.com/cart").statusCode());
            assertEquals(200, get(gw, "/ref", "Referer", "http://example.org/").statusCode());
            HttpResponse<String> other = get(gw, "/ref", "Referer", "https://example.com.evil.net/");
            assertEquals(403, other.statusCode());
            assertEquals("{\"message\":\"Your referer host is not allowed\"}\n", other.body());
            assertEquals(403, gw.get("/ref").statusCode(), "no Referer is refused unless bypass_missing");
            assertEquals(403, get(gw, "/ref", "Referer", "not a url").statusCode());
        }
    }

    @Test
    void uriBlockerRefusesMatchingRequestUris() {
        try (TestGateway gw = gateway()) {
            assertEquals(200, gw.get("/files/readme.txt").statusCode());
            HttpResponse<String> php = gw.get("/files/INDEX.PHP");
            assertEquals(403, php.statusCode(), "case_insensitive");
            assertEquals("", php.body());
            assertEquals(403, gw.get("/files/secret/key").statusCode());
            assertEquals(403, gw.get("/files/./secret/key").statusCode(), "the normalised path, as routing sees it");
            assertEquals(403, gw.get("/files//secret/key").statusCode());
            HttpResponse<String> gone = gw.get("/msg/a?x=drop");
            assertEquals(410, gone.statusCode(), "the query is part of $request_uri");
            assertEquals("{\"error_msg\":\"gone\"}\n", gone.body());
        }
    }
}
