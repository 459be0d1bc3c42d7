package io.tidegate.plugins.grpctranscode;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.tidegate.grpc.RawMessages;
import io.tidegate.protos.ProtoSourceParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A real grpc-java server for {@link #PROTO}'s helloworld.Greeter, as APISIX's test server answers:
 * SayHello says hello (with the person's name and age, the items and gender echoed), Plus adds,
 * SayHelloAfterDelay answers after 3 s, GetErrResp fails UNAVAILABLE with an ErrorDetail in
 * grpc-status-details-bin. Messages are DynamicMessages of the same proto text the gateway gets.
 */
final class GreeterServer implements AutoCloseable {
    static final String PROTO = """
            syntax = "proto3";
            package helloworld;
            service Greeter {
                rpc SayHello (HelloRequest) returns (HelloReply) {}
                rpc Plus (PlusRequest) returns (PlusReply) {}
                rpc SayHelloAfterDelay (HelloRequest) returns (HelloReply) {}
                rpc GetErrResp (HelloRequest) returns (HelloReply) {}
            }
            enum Gender {
                GENDER_UNKNOWN = 0;
                GENDER_MALE = 1;
                GENDER_FEMALE = 2;
            }
            message Person {
                string name = 1;
                int32 age = 2;
            }
            message HelloRequest {
                string name = 1;
                repeated string items = 2;
                Gender gender = 3;
                Person person = 4;
            }
            message HelloReply {
                string message = 1;
                repeated string items = 2;
                Gender gender = 3;
            }
            message PlusRequest {
                int64 a = 1;
                int64 b = 2;
            }
            message PlusReply {
                int64 result = 1;
            }
            message ErrorDetail {
                int64 code = 1;
                string message = 2;
                string type = 3;
            }
            """;

    private final Descriptors.FileDescriptor file;
    private final Server server;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    GreeterServer() throws Exception {
        file = Descriptors.FileDescriptor.buildFrom(ProtoSourceParser.parse(PROTO, "helloworld.proto"), new Descriptors.FileDescriptor[0]);
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service()).build().start();
    }

    int port() {
        return server.getPort();
    }

    Descriptors.FileDescriptor file() {
        return file;
    }

    private Descriptors.Descriptor type(String name) {
        return file.findMessageTypeByName(name);
    }

    private ServerServiceDefinition service() {
        return ServerServiceDefinition.builder("helloworld.Greeter")
                .addMethod(unary("SayHello"), ServerCalls.asyncUnaryCall((bytes, response) -> reply(response, hello(parse("HelloRequest", bytes)))))
                .addMethod(unary("Plus"), ServerCalls.asyncUnaryCall((bytes, response) -> {
                    DynamicMessage request = parse("PlusRequest", bytes);
                    long sum = (Long) request.getField(field("PlusRequest", "a")) + (Long) request.getField(field("PlusRequest", "b"));
                    reply(response, DynamicMessage.newBuilder(type("PlusReply")).setField(field("PlusReply", "result"), sum).build());
                }))
                .addMethod(unary("SayHelloAfterDelay"), ServerCalls.asyncUnaryCall((bytes, response) ->
                        timers.schedule(() -> reply(response, hello(parse("HelloRequest", bytes))), 3, TimeUnit.SECONDS)))
                .addMethod(unary("GetErrResp"), ServerCalls.asyncUnaryCall((bytes, response) -> {
                    DynamicMessage detail = DynamicMessage.newBuilder(type("ErrorDetail"))
                            .setField(field("ErrorDetail", "code"), 1L)
                            .setField(field("ErrorDetail", "message"), "The server is out of service")
                            .setField(field("ErrorDetail", "type"), "service").build();
                    com.google.rpc.Status status = com.google.rpc.Status.newBuilder().setCode(14).setMessage("Out of service")
                            .addDetails(Any.newBuilder().setTypeUrl("type.googleapis.com/helloworld.ErrorDetail").setValue(detail.toByteString()))
                            .build();
                    Metadata trailers = new Metadata();
                    trailers.put(Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER), status.toByteArray());
                    response.onError(Status.UNAVAILABLE.withDescription("Out of service").asRuntimeException(trailers));
                }))
                .build();
    }

    private DynamicMessage hello(DynamicMessage request) {
        String text = "Hello " + request.getField(field("HelloRequest", "name"));
        if (request.hasField(field("HelloRequest", "person"))) {
            DynamicMessage person = (DynamicMessage) request.getField(field("HelloRequest", "person"));
            text += ", name: " + person.getField(field("Person", "name"));
            int age = (Integer) person.getField(field("Person", "age"));
            if (age != 0) {
                text += ", age: " + age;
            }
        }
        DynamicMessage.Builder reply = DynamicMessage.newBuilder(type("HelloReply")).setField(field("HelloReply", "message"), text)
                .setField(field("HelloReply", "gender"), request.getField(field("HelloRequest", "gender")));
        for (int i = 0; i < request.getRepeatedFieldCount(field("HelloRequest", "items")); i++) {
            reply.addRepeatedField(field("HelloReply", "items"), request.getRepeatedField(field("HelloRequest", "items"), i));
        }
        return reply.build();
    }

    private Descriptors.FieldDescriptor field(String type, String name) {
        return type(type).findFieldByName(name);
    }

    private DynamicMessage parse(String type, byte[] bytes) {
        try {
            return DynamicMessage.parseFrom(type(type), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void reply(StreamObserver<byte[]> response, DynamicMessage message) {
        response.onNext(message.toByteArray());
        response.onCompleted();
    }

    private static MethodDescriptor<byte[], byte[]> unary(String method) {
        return RawMessages.method("helloworld.Greeter/" + method, MethodDescriptor.MethodType.UNARY);
    }

    @Override
    public void close() {
        server.shutdownNow();
        timers.shutdownNow();
    }
}
