package io.tidegate.plugins.grpctranscode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos;
import io.tidegate.testing.GrpcExampleServers;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * grpc-transcode end to end (after APISIX's t/plugin/grpc-transcode*.t): HTTP requests with query
 * arguments, forms and JSON through the packaged plugin to a real grpc-java server (APISIX's test
 * server rebuilt, {@link GrpcExampleServers}), the proto in
 * the configuration as .proto text and as a base64 descriptor set.
 */
class GrpcTranscodeIT {
    static GrpcExampleServers server;
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        server = new GrpcExampleServers();
        String descriptorSet = Base64.getEncoder().encodeToString(DescriptorProtos.FileDescriptorSet.newBuilder()
                .addFile(server.helloworld().toProto()).build().toByteArray());
        String upstream = "{ scheme: grpc, nodes: { \"" + server.exampleAddress() + "\": 1 } }";
        gw = PluginGateway.start("""
                protos:
                  - id: "1"
                    content: |
                %s
                  - id: "2"
                    content: "%s"
                routes:
                  - { id: hello, uri: /grpctest, plugins: { grpc-transcode: { proto_id: "1", service: helloworld.Greeter, method: SayHello } }, upstream: %3$s }
                  - { id: plus, uri: /grpc_plus, plugins: { grpc-transcode: { proto_id: 1, service: helloworld.Greeter, method: Plus, pb_option: [int64_as_string, enum_as_name] } }, upstream: %3$s }
                  - { id: plus2, uri: /grpc_plus2, plugins: { grpc-transcode: { proto_id: "2", service: helloworld.Greeter, method: Plus } }, upstream: %3$s }
                  - { id: delay, uri: /grpc_delay, plugins: { grpc-transcode: { proto_id: "1", service: helloworld.Greeter, method: SayHelloAfterDelay, deadline: 500 } }, upstream: %3$s }
                  - { id: value, uri: /grpc_value, plugins: { grpc-transcode: { proto_id: "1", service: helloworld.Greeter, method: SayHello, pb_option: [enum_as_value] } }, upstream: %3$s }
                  - { id: err, uri: /grpc_err, plugins: { grpc-transcode: { proto_id: "1", service: helloworld.Greeter, method: GetErrResp } }, upstream: %3$s }
                  - { id: err-body, uri: /grpc_err_body, plugins: { grpc-transcode: { proto_id: "1", service: helloworld.Greeter, method: GetErrResp, show_status_in_body: true } }, upstream: %3$s }
                  - { id: err-detail, uri: /grpc_err_detail, plugins: { grpc-transcode: { proto_id: "1", service: helloworld.Greeter, method: GetErrResp, show_status_in_body: true, status_detail_type: helloworld.ErrorDetail } }, upstream: %3$s }
                  - { id: no-method, uri: /method_not_found, plugins: { grpc-transcode: { proto_id: "1", service: helloworld.Greeter, method: Runx } }, upstream: %3$s }
                  - { id: no-proto, uri: /proto_not_found, plugins: { grpc-transcode: { proto_id: "9", service: helloworld.Greeter, method: SayHello } }, upstream: %3$s }
                  - { id: down, uri: /grpc_down, plugins: { grpc-transcode: { proto_id: "1", service: helloworld.Greeter, method: SayHello } }, upstream: { scheme: grpc, nodes: { "127.0.0.1:1": 1 } } }
                """.formatted(GrpcExampleServers.HELLOWORLD.indent(6).stripTrailing(), descriptorSet, upstream));
    }

    @AfterAll
    static void stop() {
        gw.close();
        server.close();
    }

    private static HttpResponse<String> postJson(String path, String json) {
        return gw.send(gw.request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    @Test
    void aGetWithQueryArgumentsIsTheCallsRequestAndTheAnswerIsJson() {
        HttpResponse<String> response = gw.get("/grpctest?name=world");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
        // proto3: absent scalars and lists are written with their defaults, the enum by name
        assertEquals("{\"message\":\"Hello world\",\"items\":[],\"gender\":\"GENDER_UNKNOWN\"}", response.body());
    }

    @Test
    void aPostedFormAndPostedJsonAreTheRequestToo() {
        HttpResponse<String> form = gw.send(gw.request("/grpctest").POST(HttpRequest.BodyPublishers.ofString("name=world")).build());
        assertEquals("{\"message\":\"Hello world\",\"items\":[],\"gender\":\"GENDER_UNKNOWN\"}", form.body());
        HttpResponse<String> json = postJson("/grpctest",
                "{\"name\":\"world\",\"items\":[\"a\",\"b\"],\"gender\":\"GENDER_MALE\",\"person\":{\"name\":\"Joe\",\"age\":1},\"unknown\":1}");
        assertEquals("{\"message\":\"Hello world, name: Joe, age: 1\",\"items\":[\"a\",\"b\"],\"gender\":\"GENDER_MALE\"}", json.body());
        assertEquals("{\"message\":\"Hello world\",\"items\":[],\"gender\":\"GENDER_FEMALE\"}", postJson("/grpctest", "{\"name\":\"world\",\"gender\":2}").body());
        assertEquals("{\"message\":\"Hello world\",\"items\":[],\"gender\":2}", postJson("/grpc_value", "{\"name\":\"world\",\"gender\":2}").body(),
                "enum_as_value");
    }

    @Test
    void aRequestBodyOver64MibIsRefusedUnread() {
        byte[] huge = new byte[(64 << 20) + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        HttpResponse<String> response = gw.send(gw.request("/grpctest").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(huge)).build());
        assertEquals(413, response.statusCode());
    }

    @Test
    void valuesThatDoNotFitTheMessageAre400() {
        assertEquals(400, postJson("/grpctest", "{\"name\":\"world\",\"gender\":\"GENDER_MA\"}").statusCode(), "an unknown enum name");
        assertEquals(400, postJson("/grpctest", "{\"name\":{\"first\":\"x\"}}").statusCode(), "an object for a string");
    }

    @Test
    void int64sAreNumbersOrLuaProtobufsStrings() {
        assertEquals("{\"result\":3}", gw.get("/grpc_plus?a=1&b=2").body());
        assertEquals("{\"result\":\"#2251799813685261\"}", gw.get("/grpc_plus?a=1&b=2251799813685260").body(), "int64_as_string");
        assertEquals("{\"result\":2.2517998136853e+15}", gw.get("/grpc_plus2?a=1&b=2251799813685260").body(),
                "int64_as_number (the default) prints %.14g; proto 2 is the same file as a base64 descriptor set");
        assertEquals("{\"result\":\"#2251799813685245\"}", gw.get("/grpc_plus?a=1&b=%230x7FFFFFFFFFFFC").body(),
                "lua-protobuf's #0x form of an integer");
    }

    @Test
    void aDeadlineBoundsTheCall() {
        long started = System.nanoTime();
        HttpResponse<String> response = gw.get("/grpc_delay?name=apisix");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(504, response.statusCode(), "DEADLINE_EXCEEDED is 504");
        assertTrue(tookMillis < 2_500, tookMillis + " ms: the server's 3 s were not waited for");
    }

    @Test
    void aFailedCallTakesTheHttpStatusOfItsGrpcStatus() {
        HttpResponse<String> plain = gw.get("/grpc_err?name=world");
        assertEquals(503, plain.statusCode());
        assertEquals("14", plain.headers().firstValue("grpc-status").orElseThrow());
        assertEquals("Out of service", plain.headers().firstValue("grpc-message").orElseThrow());
        assertTrue(plain.headers().firstValue("grpc-status-details-bin").isPresent());
        assertEquals("", plain.body());

        HttpResponse<String> raw = gw.get("/grpc_err_body?name=world");
        assertEquals(503, raw.statusCode());
        assertEquals("{\"error\":{\"code\":14,\"message\":\"Out of service\",\"details\":[{\"type_url\":\"type.googleapis.com/helloworld.ErrorDetail\","
                + "\"value\":\"\\b\\u0001\\u0012\\u001cThe server is out of service\\u001a\\u0007service\"}]}}", raw.body());

        HttpResponse<String> decoded = gw.get("/grpc_err_detail?name=world");
        assertEquals("{\"error\":{\"code\":14,\"message\":\"Out of service\",\"details\":[{\"code\":1,"
                + "\"message\":\"The server is out of service\",\"type\":\"service\"}]}}", decoded.body());
    }

    @Test
    void aMethodOrProtoThatDoesNotExistIs503AndAnUpstreamThatIsDownIs502() {
        assertEquals(503, postJson("/method_not_found", "{}").statusCode());
        assertEquals(503, gw.get("/proto_not_found?name=x").statusCode());
        HttpResponse<String> down = gw.get("/grpc_down?name=x");
        assertEquals(502, down.statusCode(), "the gateway's own error is HTTP, as the client sent HTTP: " + down.body());
    }
}
