package io.tidegate.plugins.grpctranscode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.testing.EtcdServer;
import io.tidegate.testing.GrpcExampleServers;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code protos} resource through APISIX's Admin API on a real etcd (after t/plugin/grpc-transcode.t
 * and t/admin/protos.t): written, compiled, used by a route, changed (the route follows), refused
 * while in use, deleted.
 */
class ProtosAdminIT {
    private static final String KEY = "admin-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer();

    private static HttpResponse<String> admin(TestGateway gw, String method, String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.gateway().adminAddress().getPort() + "/apisix/admin" + path))
                .header("X-API-KEY", KEY)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String proto(String text) {
        ObjectNode body = JSON.createObjectNode().put("content", text);
        return body.toString();
    }

    @Test
    void aProtoIsWrittenUsedChangedProtectedAndDeleted() throws Exception {
        try (GrpcExampleServers server = new GrpcExampleServers();
             TestGateway gw = PluginGateway.startWithSettings("""
                       etcd: { endpoints: ["%s"], prefix: /t%s, timeout: 2 }
                       admin: { address: "127.0.0.1:0", api_key: %s }
                     """.formatted(etcd.endpoint(), UUID.randomUUID().toString().substring(0, 8), KEY), "")) {
            String basic = GrpcExampleServers.HELLOWORLD.replace("repeated string items = 2;", "").replace("Gender gender = 3;", "")
                    .replace("Person person = 4;", "");
            HttpResponse<String> created = admin(gw, "PUT", "/protos/1", proto(basic));
            assertEquals(201, created.statusCode(), created.body());
            assertTrue(TestGateway.json(created).get("value").has("create_time"));
            assertEquals(200, admin(gw, "GET", "/protos/1", null).statusCode());

            HttpResponse<String> invalid = admin(gw, "PUT", "/protos/2", proto("syntax = \"proto3\"; message A { string a = 1; int32 b = 1; }"));
            assertEquals(400, invalid.statusCode());
            assertTrue(invalid.body().contains("invalid content: "), invalid.body());
            assertTrue(invalid.body().contains("field number '1' exists"), invalid.body());
            HttpResponse<String> patch = admin(gw, "PATCH", "/protos/1", "{\"content\":\"x\"}");
            assertEquals(405, patch.statusCode());
            assertEquals("{\"error_msg\":\"not supported `PATCH` method for proto\"}\n", patch.body());

            assertEquals(201, admin(gw, "PUT", "/routes/1", """
                    {"uri":"/grpctest","plugins":{"grpc-transcode":{"proto_id":"1","service":"helloworld.Greeter","method":"SayHello"}},
                     "upstream":{"scheme":"grpc","nodes":{"%s":1}}}""".formatted(server.exampleAddress())).statusCode());
            gw.awaitStatus("/grpctest?name=world", 200, 5000);
            assertEquals("{\"message\":\"Hello world\"}", gw.get("/grpctest?name=world").body(), "the proto as first written");

            assertEquals(200, admin(gw, "PUT", "/protos/1", proto(GrpcExampleServers.HELLOWORLD)).statusCode());
            long waited = 0;
            while (!gw.get("/grpctest?name=world").body().contains("items") && waited < 5000) {
                Thread.sleep(50);
                waited += 50;
            }
            assertEquals("{\"message\":\"Hello world\",\"items\":[],\"gender\":\"GENDER_UNKNOWN\"}", gw.get("/grpctest?name=world").body(),
                    "the route follows the changed proto without being written again");

            HttpResponse<String> inUse = admin(gw, "DELETE", "/protos/1", null);
            assertEquals(400, inUse.statusCode());
            assertEquals("{\"error_msg\":\"can not delete this proto, route [1] is still using it now\"}\n", inUse.body());
            assertEquals(200, admin(gw, "DELETE", "/protos/1?force=true", null).statusCode());
            gw.awaitStatus("/grpctest?name=world", 503, 5000);
        }
    }
}
