package io.tidegate.plugins.grpcweb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.GrpcTestServer;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * grpc-web end to end (after APISIX's t/plugin/grpc-web.t): HTTP/1.1 clients speaking gRPC-Web,
 * binary and text, through the packaged plugin to a real grpc-java server.
 */
class GrpcWebIT {
    static GrpcTestServer server;
    static TestGateway gw;

    @BeforeAll
    static void start() {
        server = GrpcTestServer.start();
        gw = PluginGateway.start("""
                routes:
                  - { id: web, uri: "/grpc/web/*", plugins: { grpc-web: {} }, upstream: { scheme: grpc, nodes: { "127.0.0.1:%1$d": 1 } } }
                  - { id: custom, uri: "/custom/*", plugins: { grpc-web: { cors_allow_headers: grpc-accept-encoding } },
                      upstream: { scheme: grpc, nodes: { "127.0.0.1:%1$d": 1 } } }
                """.formatted(server.port()));
    }

    @AfterAll
    static void stop() {
        gw.close();
        server.close();
    }

    private static HttpResponse<byte[]> post(String path, String type, byte[] body) {
        return gw.send(gw.request(path).header("Content-Type", type).header("X-Grpc-Web", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] frame(byte[] message) {
        return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message).array();
    }

    /** The frames of a gRPC-Web body: each message, then the trailer frame's text as "trailer:..." */
    private static List<String> frames(byte[] body) {
        List<String> frames = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(body);
        while (in.remaining() >= 5) {
            byte flag = in.get();
            byte[] content = new byte[in.getInt()];
            in.get(content);
            frames.add(flag == (byte) 0x80 ? "trailer:" + new String(content, StandardCharsets.UTF_8) : new String(content, StandardCharsets.UTF_8));
        }
        assertEquals(0, in.remaining(), "nothing after the frames");
        return frames;
    }

    /** A gRPC-Web-text body: base64 segments, each padded, decoded one after the other. */
    private static byte[] decodeText(byte[] body) {
        String text = new String(body, StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int start = 0;
        for (int i = 0; i < text.length(); i += 4) {
            if (text.charAt(i + 3) == '=' || i + 4 == text.length()) {
                out.writeBytes(Base64.getDecoder().decode(text.substring(start, i + 4)));
                start = i + 4;
            }
        }
        return out.toByteArray();
    }

    @Test
    void aBinaryUnaryCallGetsItsMessageAndATrailerFrame() {
        HttpResponse<byte[]> response = post("/grpc/web/test.Echo/Unary", "application/grpc-web+proto", frame("hello".getBytes()));
        assertEquals(200, response.statusCode());
        assertEquals("application/grpc-web+proto", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("*", response.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertEquals("grpc-message,grpc-status", response.headers().firstValue("Access-Control-Expose-Headers").orElseThrow());
        assertEquals(List.of("hello", "trailer:grpc-status:0\r\ngrpc-message:\r\n"), frames(response.body()));
        // the echo came back, so /grpc/web/test.Echo/Unary called /test.Echo/Unary; other headers pass on
        assertEquals("1", server.lastHeaders().get(io.grpc.Metadata.Key.of("x-grpc-web", io.grpc.Metadata.ASCII_STRING_MARSHALLER)));
    }

    @Test
    void aTextCallIsBase64BothWays() {
        byte[] request = Base64.getEncoder().encode(frame("text".getBytes()));
        HttpResponse<byte[]> response = post("/grpc/web/test.Echo/Unary", "application/grpc-web-text", request);
        assertEquals(200, response.statusCode());
        assertEquals("application/grpc-web-text", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(List.of("text", "trailer:grpc-status:0\r\ngrpc-message:\r\n"), frames(decodeText(response.body())));
    }

    @Test
    void aServerStreamArrivesAsFramesThenTheTrailer() {
        HttpResponse<byte[]> response = post("/grpc/web/test.Echo/Count", "application/grpc-web", frame(GrpcTestServer.int32(3)));
        List<String> frames = frames(response.body());
        assertEquals(4, frames.size(), frames.toString());
        assertEquals("trailer:grpc-status:0\r\ngrpc-message:\r\n", frames.get(3));
    }

    @Test
    void anErrorWithoutMessagesIsTrailersOnlyWithTheStatusInTheHead() {
        HttpResponse<byte[]> response = post("/grpc/web/test.Echo/Fail", "application/grpc-web", frame(new byte[] {1}));
        assertEquals(200, response.statusCode());
        assertEquals("9", response.headers().firstValue("grpc-status").orElseThrow());
        assertEquals(GrpcTestServer.FAIL_MESSAGE, java.net.URLDecoder.decode(
                response.headers().firstValue("grpc-message").orElseThrow(), StandardCharsets.UTF_8));
        assertEquals(0, response.body().length, "no trailer frame: the status is in the head");
    }

    @Test
    void optionsIsThePreflight() {
        HttpResponse<String> response = gw.send(gw.request("/grpc/web/test.Echo/Unary")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(204, response.statusCode());
        assertEquals("POST", response.headers().firstValue("Access-Control-Allow-Methods").orElseThrow());
        assertEquals("content-type,x-grpc-web,x-user-agent", response.headers().firstValue("Access-Control-Allow-Headers").orElseThrow());
        assertEquals("*", response.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertEquals("grpc-message,grpc-status", response.headers().firstValue("Access-Control-Expose-Headers").orElseThrow());
        HttpResponse<String> custom = gw.send(gw.request("/custom/test.Echo/Unary")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals("grpc-accept-encoding", custom.headers().firstValue("Access-Control-Allow-Headers").orElseThrow());
    }

    @Test
    void otherMethodsAndContentTypesAreRefused() {
        HttpResponse<String> get = gw.get("/grpc/web/test.Echo/Unary");
        assertEquals(405, get.statusCode());
        assertEquals("*", get.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        HttpResponse<byte[]> json = post("/grpc/web/test.Echo/Unary", "application/json", new byte[0]);
        assertEquals(400, json.statusCode());
        assertTrue(json.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        HttpResponse<byte[]> badText = post("/grpc/web/test.Echo/Unary", "application/grpc-web-text", "not base64!".getBytes());
        assertEquals(400, badText.statusCode());
    }
}
