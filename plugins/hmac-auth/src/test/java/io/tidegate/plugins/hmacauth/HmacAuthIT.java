package io.tidegate.plugins.hmacauth;

import static io.tidegate.testing.TestGateway.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.UpstreamServer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** hmac-auth end to end: requests signed as a client library would sign them, through the real gateway. */
class HmacAuthIT {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("up");

    private static TestGateway gateway() {
        return PluginGateway.start("""
                consumers:
                  - { username: jack, plugins: { hmac-auth: { key_id: jack-key, secret_key: jack-secret } } }
                routes:
                  - { id: 1, uri: /hello, plugins: { hmac-auth: { hide_credentials: true } }, upstream: { nodes: { "%1$s": 1 } } }
                  - { id: 2, uri: /upload, plugins: { hmac-auth: { validate_request_body: true, max_req_body_size: 1024 } }, upstream: { nodes: { "%1$s": 1 } } }
                """.formatted(upstream.address()));
    }

    private static String now() {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(java.time.ZoneOffset.UTC));
    }

    /** {@code Signature ...} over keyId, the request line and the date, as APISIX's docs sign. */
    static String sign(String method, String requestUri, String date, String secret) throws Exception {
        String signing = "jack-key\n" + method + " " + requestUri + "\n" + "date: " + date + "\n";
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(signing.getBytes(StandardCharsets.UTF_8)));
        return "Signature keyId=\"jack-key\",algorithm=\"hmac-sha256\",headers=\"@request-target date\",signature=\"" + signature + "\"";
    }

    private static HttpResponse<String> get(TestGateway gw, String path, String date, String authorization) {
        return gw.send(gw.request(path).header("Date", date).header("Authorization", authorization).GET().build());
    }

    private static void assertRefused(HttpResponse<String> response) {
        assertEquals(401, response.statusCode());
        assertEquals("{\"message\":\"client request can't be validated\"}\n", response.body());
        assertEquals("hmac realm=\"hmac\"", response.headers().firstValue("WWW-Authenticate").orElseThrow());
    }

    @Test
    void aSignedRequestIdentifiesTheConsumer() throws Exception {
        try (TestGateway gw = gateway()) {
            String date = now();
            JsonNode headers = json(get(gw, "/hello?a=1", date, sign("GET", "/hello?a=1", date, "jack-secret"))).get("headers");
            assertEquals("jack", headers.get("x-consumer-username").asText());
            assertFalse(headers.has("authorization"), "hide_credentials");
        }
    }

    @Test
    void forgedStaleOrIncompleteSignaturesNeverReachTheUpstream() throws Exception {
        try (TestGateway gw = gateway()) {
            int before = upstream.requestCount();
            String date = now();
            assertRefused(get(gw, "/hello", date, sign("GET", "/hello", date, "wrong-secret")));
            assertRefused(get(gw, "/hello?a=2", date, sign("GET", "/hello?a=1", date, "jack-secret")));
            String old = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(java.time.ZoneOffset.UTC).minusMinutes(10));
            assertRefused(get(gw, "/hello", old, sign("GET", "/hello", old, "jack-secret")));
            String noDateCovered = "Signature keyId=\"jack-key\",algorithm=\"hmac-sha256\",headers=\"@request-target\",signature=\"AAAA\"";
            assertRefused(get(gw, "/hello", date, noDateCovered));
            HttpResponse<String> missing = gw.get("/hello");
            assertEquals(401, missing.statusCode());
            assertEquals("{\"message\":\"client request can't be validated: missing Authorization header\"}\n", missing.body());
            assertEquals(before, upstream.requestCount());
        }
    }

    @Test
    void theBodyMustMatchItsDigestAndStillReachesTheUpstreamWhole() throws Exception {
        try (TestGateway gw = gateway()) {
            byte[] body = "{\"order\": 42}".getBytes(StandardCharsets.UTF_8);
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(body);
            String digest = "SHA-256=" + Base64.getEncoder().encodeToString(sha);
            String date = now();
            String authorization = sign("POST", "/upload", date, "jack-secret");

            int before = upstream.requestCount();
            assertRefused(gw.send(post(gw, date, authorization, "SHA-256=" + Base64.getEncoder().encodeToString(new byte[32]), body, false)));
            assertRefused(gw.send(post(gw, date, authorization, null, body, false)));
            HttpResponse<String> tooLarge = gw.send(post(gw, date, authorization, digest, new byte[2048], false));
            assertEquals(413, tooLarge.statusCode());
            assertEquals("{\"message\":\"request size 2048 is greater than the maximum size 1024 allowed\"}\n", tooLarge.body());
            HttpResponse<String> tooLargeChunked = gw.send(post(gw, date, authorization, digest, new byte[4096], true));
            assertEquals(413, tooLargeChunked.statusCode(), "a chunked body is refused once it passes the cap");
            assertEquals(before, upstream.requestCount(), "nothing refused reached the upstream");

            for (boolean chunked : new boolean[] {false, true}) {
                HttpResponse<String> passed = gw.send(post(gw, date, authorization, digest, body, chunked));
                assertEquals(200, passed.statusCode(), passed.body());
                JsonNode arrived = json(passed);
                org.junit.jupiter.api.Assertions.assertTrue(arrived.has("headers"), passed.headers().map() + " " + passed.body());
                assertEquals("jack", arrived.get("headers").get("x-consumer-username").asText());
                assertEquals(body.length, arrived.get("body_bytes").asInt(), "chunked=" + chunked);
                assertEquals(HexFormat.of().formatHex(sha), arrived.get("body_sha256").asText(), "the body read for the digest goes on unchanged");
            }
        }
    }

    @Test
    void aBodyThatArrivesSlowlyIsAwaitedWithoutLosingTheExchange() throws Exception {
        try (TestGateway gw = gateway(); java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.port())) {
            byte[] body = "{\"slow\": true, \"padding\": \"0123456789\"}".getBytes(StandardCharsets.UTF_8);
            String digest = "SHA-256=" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
            String date = now();
            socket.setSoTimeout(5000);
            var out = socket.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nDate: " + date + "\r\nAuthorization: "
                    + sign("POST", "/upload", date, "jack-secret") + "\r\nDigest: " + digest + "\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, 10);
            out.flush();
            Thread.sleep(300);  // the gateway has parked the request, waiting for the rest
            out.write(body, 10, body.length - 10);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            org.junit.jupiter.api.Assertions.assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            org.junit.jupiter.api.Assertions.assertTrue(answer.contains("\"body_bytes\":" + body.length), answer);
            org.junit.jupiter.api.Assertions.assertTrue(answer.contains("\"x-consumer-username\":\"jack\""), answer);
        }
    }

    private static HttpRequest post(TestGateway gw, String date, String authorization, String digest, byte[] body, boolean chunked) {
        HttpRequest.Builder request = gw.request("/upload").header("Date", date).header("Authorization", authorization);
        if (digest != null) {
            request.header("Digest", digest);
        }
        // an input stream publisher has no known length: the client sends it chunked
        return request.POST(chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }
}
