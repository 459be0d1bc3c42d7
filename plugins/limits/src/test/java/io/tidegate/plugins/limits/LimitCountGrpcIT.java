package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.tidegate.testing.GrpcTestServer;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** limit-count on a gRPC route: calls past the count get RESOURCE_EXHAUSTED with the plugin's message. */
class LimitCountGrpcIT {
    @Test
    void callsPastTheCountAreResourceExhausted() throws Exception {
        try (GrpcTestServer server = GrpcTestServer.start();
             TestGateway gw = PluginGateway.start("""
                     routes:
                       - { id: 1, uri: "/test.Echo/*", plugins: { limit-count: { count: 2, time_window: 60, rejected_code: 429, rejected_msg: "Too many requests" } },
                           upstream: { scheme: grpc, nodes: { "127.0.0.1:%d": 1 } } }
                     """.formatted(server.port()))) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gw.port()).usePlaintext().build();
            try {
                for (int i = 0; i < 2; i++) {
                    assertArrayEquals(new byte[] {(byte) i},
                            ClientCalls.blockingUnaryCall(channel, GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {(byte) i}));
                }
                StatusRuntimeException limited = assertThrows(StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(channel, GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {3}));
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, limited.getStatus().getCode());
                assertEquals("Too many requests", limited.getStatus().getDescription());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
