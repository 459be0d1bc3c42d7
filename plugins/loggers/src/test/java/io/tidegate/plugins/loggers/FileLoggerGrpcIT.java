package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.tidegate.testing.GrpcTestServer;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** file-logger on a gRPC route: each call, served or failed, is an entry with the method's path and the upstream. */
class FileLoggerGrpcIT {
    @TempDir
    Path dir;

    @Test
    void everyCallIsLogged() throws Exception {
        Path log = dir.resolve("grpc.log");
        try (GrpcTestServer server = GrpcTestServer.start();
             TestGateway gw = PluginGateway.start("""
                     routes:
                       - { id: grpc, uri: "/test.Echo/*", plugins: { file-logger: { path: %s } }, upstream: { scheme: grpc, nodes: { "127.0.0.1:%d": 1 } } }
                     """.formatted(log, server.port()))) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gw.port()).usePlaintext().build();
            try {
                ClientCalls.blockingUnaryCall(channel, GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {1});
                try {
                    ClientCalls.blockingUnaryCall(channel, GrpcTestServer.FAIL, CallOptions.DEFAULT, new byte[] {1});
                } catch (StatusRuntimeException expected) {
                    // a failed call is logged too
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            List<JsonNode> entries = LoggersIT.lines(log, 2);
            assertEquals(2, entries.size(), entries.toString());
            assertEquals("/test.Echo/Unary", entries.get(0).at("/request/uri").asText());
            assertEquals("POST", entries.get(0).at("/request/method").asText());
            assertEquals("application/grpc", entries.get(0).at("/request/headers/content-type").asText());
            assertEquals(200, entries.get(0).at("/response/status").asInt(), "gRPC answers in HTTP 200");
            assertEquals("127.0.0.1:" + server.port(), entries.get(0).get("upstream").asText());
            assertEquals("grpc", entries.get(0).get("route_id").asText());
            assertEquals("/test.Echo/Fail", entries.get(1).at("/request/uri").asText());
            assertTrue(entries.get(1).get("latency").asDouble() >= 0);
        }
    }
}
