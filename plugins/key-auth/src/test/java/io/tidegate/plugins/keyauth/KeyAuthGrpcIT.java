package io.tidegate.plugins.keyauth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.tidegate.testing.GrpcTestServer;
import io.tidegate.testing.PluginGateway;
import io.tidegate.testing.TestGateway;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** key-auth on a gRPC route: a refused call gets UNAUTHENTICATED as a gRPC status, an accepted one reaches the server. */
class KeyAuthGrpcIT {
    @Test
    void aCallWithoutAValidKeyIsUnauthenticatedAndOneWithItIsServed() throws Exception {
        try (GrpcTestServer server = GrpcTestServer.start();
             TestGateway gw = PluginGateway.start("""
                     consumers:
                       - { username: jack, plugins: { key-auth: { key: auth-one } } }
                     routes:
                       - { id: 1, uri: "/test.Echo/*", plugins: { key-auth: {} }, upstream: { scheme: grpc, nodes: { "127.0.0.1:%d": 1 } } }
                     """.formatted(server.port()))) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gw.port()).usePlaintext().build();
            try {
                StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(channel, GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {1}));
                assertEquals(Status.Code.UNAUTHENTICATED, missing.getStatus().getCode());
                assertEquals("Missing API key in request", missing.getStatus().getDescription(), "the plugin's message");
                assertEquals(null, server.lastHeaders(), "nothing reached the server");

                StatusRuntimeException invalid = assertThrows(StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(withKey(channel, "nope"), GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {1}));
                assertEquals(Status.Code.UNAUTHENTICATED, invalid.getStatus().getCode());
                assertEquals("Invalid API key in request", invalid.getStatus().getDescription());

                byte[] answer = ClientCalls.blockingUnaryCall(withKey(channel, "auth-one"), GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {7});
                assertArrayEquals(new byte[] {7}, answer);
                assertEquals("jack", server.lastHeaders().get(Metadata.Key.of("x-consumer-username", Metadata.ASCII_STRING_MARSHALLER)));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static io.grpc.Channel withKey(ManagedChannel channel, String key) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("apikey", Metadata.ASCII_STRING_MARSHALLER), key);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
