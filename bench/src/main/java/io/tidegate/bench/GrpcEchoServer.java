package io.tidegate.bench;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.tidegate.grpc.RawMessages;
import java.net.InetSocketAddress;

/**
 * The origin of {@code bench/grpc-bench.sh}: a grpc-java server on 127.0.0.1:PORT whose one unary
 * method, {@code /bench.Echo/Unary}, answers each message with its own bytes (no generated code).
 */
public final class GrpcEchoServer {
    private GrpcEchoServer() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        MethodDescriptor<byte[], byte[]> unary = RawMessages.method("bench.Echo/Unary", MethodDescriptor.MethodType.UNARY);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(ServerServiceDefinition.builder("bench.Echo")
                        .addMethod(unary, ServerCalls.asyncUnaryCall((request, response) -> {
                            response.onNext(request);
                            response.onCompleted();
                        }))
                        .build())
                .build()
                .start();
        System.out.println("grpc echo server on 127.0.0.1:" + port);
        server.awaitTermination();
    }
}
