package io.tidegate.plugins.jwtauth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.auth0.jwt.algorithms.Algorithm;
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

/** jwt-auth on a gRPC route: a call without a valid token is UNAUTHENTICATED, one with it reaches the server as the consumer. */
class JwtAuthGrpcIT {
    @Test
    void aCallCarriesItsTokenAsMetadata() throws Exception {
        try (GrpcTestServer server = GrpcTestServer.start();
             TestGateway gw = PluginGateway.start("""
                     consumers:
                       - { username: jack, plugins: { jwt-auth: { key: user-key, secret: my-secret-key } } }
                     routes:
                       - { id: 1, uri: "/test.Echo/*", plugins: { jwt-auth: {} }, upstream: { scheme: grpc, nodes: { "127.0.0.1:%d": 1 } } }
                     """.formatted(server.port()))) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gw.port()).usePlaintext().build();
            try {
                StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                        () -> ClientCalls.blockingUnaryCall(channel, GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {1}));
                assertEquals(Status.Code.UNAUTHENTICATED, missing.getStatus().getCode());
                assertNull(server.lastHeaders(), "nothing reached the server");
                String token = Tokens.claims("user-key").sign(Algorithm.HMAC256("my-secret-key"));
                StatusRuntimeException forged = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                        withToken(channel, Tokens.claims("user-key").sign(Algorithm.HMAC256("not-the-secret"))),
                        GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {1}));
                assertEquals(Status.Code.UNAUTHENTICATED, forged.getStatus().getCode());
                assertArrayEquals(new byte[] {5},
                        ClientCalls.blockingUnaryCall(withToken(channel, token), GrpcTestServer.UNARY, CallOptions.DEFAULT, new byte[] {5}));
                assertEquals("jack", server.lastHeaders().get(Metadata.Key.of("x-consumer-username", Metadata.ASCII_STRING_MARSHALLER)));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static io.grpc.Channel withToken(ManagedChannel channel, String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
