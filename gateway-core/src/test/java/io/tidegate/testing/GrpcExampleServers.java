package io.tidegate.testing;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.StructProto;
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
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpAttachments;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC servers APISIX's gRPC tests call, rebuilt from what they answer: t/grpc_server_example
 * (helloworld.Greeter, helloworld.TestImport, echo.Echo, on grpc-java) and
 * t/plugin/grpc-web/server.go (a6.RouteService), for the conformance suite's {@code ${GRPC_UPSTREAM}}
 * and {@code ${GRPC_WEB_UPSTREAM}} and for grpc-transcode's own tests. The second is a
 * plain HTTP/2 handler rather than grpc-java because APISIX's grpc-web tests send two stray bytes
 * after the message, which Go's server ignores and grpc-java's refuses.
 */
public final class GrpcExampleServers implements AutoCloseable {
    /** APISIX's t/grpc_server_example/proto/helloworld.proto (the methods its tests call). */
    public static final String HELLOWORLD = """
            syntax = "proto3";
            package helloworld;
            service Greeter {
              rpc SayHello (HelloRequest) returns (HelloReply) {}
              rpc GetErrResp (HelloRequest) returns (HelloReply) {}
              rpc Plus (PlusRequest) returns (PlusReply) {}
              rpc SayHelloAfterDelay (HelloRequest) returns (HelloReply) {}
              rpc SayMultipleHello (MultipleHelloRequest) returns (MultipleHelloReply) {}
            }
            enum Gender { GENDER_UNKNOWN = 0; GENDER_MALE = 1; GENDER_FEMALE = 2; }
            message Person { string name = 1; int32 age = 2; }
            message HelloRequest { string name = 1; repeated string items = 2; Gender gender = 3; Person person = 4; }
            message HelloReply { string message = 1; repeated string items = 2; Gender gender = 3; }
            message PlusRequest { int64 a = 1; int64 b = 2; }
            message PlusReply { int64 result = 1; }
            message MultipleHelloRequest { string name = 1; repeated string items = 2; repeated Gender genders = 3; repeated Person persons = 4; }
            message MultipleHelloReply { string message = 1; repeated string items = 2; repeated Gender genders = 3; }
            message ErrorDetail { int64 code = 1; string message = 2; string type = 3; }
            """;
    private static final String IMPORTED = """
            syntax = "proto3";
            package pkg;
            message User { string name = 1; }
            message Response { string body = 1; }
            """;
    private static final String SRC = """
            syntax = "proto3";
            package helloworld;
            import "proto/import.proto";
            service TestImport { rpc Run (Request) returns (pkg.Response) {} }
            message Request { pkg.User user = 1; string body = 2; }
            """;
    private static final String ECHO = """
            syntax = "proto3";
            package echo;
            import "google/protobuf/struct.proto";
            service Echo { rpc EchoStruct (StructRequest) returns (StructReply) {} }
            message StructRequest { google.protobuf.Struct data = 1; }
            message StructReply { google.protobuf.Struct data = 1; }
            """;
    private static final String ROUTES = """
            syntax = "proto3";
            package a6;
            message Query { string name = 1; }
            message Route { string name = 1; string path = 2; }
            """;

    private final Descriptors.FileDescriptor helloworld;
    private final Descriptors.FileDescriptor src;
    private final Descriptors.FileDescriptor echo;
    private final Descriptors.FileDescriptor routes;
    private final Server example;
    private final Undertow web;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    public GrpcExampleServers() {
        try {
            helloworld = file(HELLOWORLD, "proto/helloworld.proto");
            Descriptors.FileDescriptor imported = file(IMPORTED, "proto/import.proto");
            src = file(SRC, "proto/src.proto", imported);
            echo = file(ECHO, "proto/echo.proto", StructProto.getDescriptor());
            routes = file(ROUTES, "route.proto");
            example = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(greeter()).addService(testImport()).addService(echoService()).build().start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the gRPC example server", e);
        }
        web = Undertow.builder().setServerOption(UndertowOptions.ENABLE_HTTP2, true).addHttpListener(0, "127.0.0.1")
                .setHandler(exchange -> exchange.getRequestReceiver().receiveFullBytes(this::routeService)).build();
        web.start();
    }

    private static Descriptors.FileDescriptor file(String text, String name, Descriptors.FileDescriptor... dependencies) throws Exception {
        return Descriptors.FileDescriptor.buildFrom(ProtoSourceParser.parse(text, name), dependencies);
    }

    /** host:port of helloworld.Greeter, TestImport and Echo. */
    public String exampleAddress() {
        return "127.0.0.1:" + example.getPort();
    }

    /** host:port of a6.RouteService. */
    public String webAddress() {
        return "127.0.0.1:" + ((InetSocketAddress) web.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** helloworld.proto compiled, as the servers use it. */
    public Descriptors.FileDescriptor helloworld() {
        return helloworld;
    }

    // ---- t/grpc_server_example ------------------------------------------------------------------

    private Descriptors.Descriptor type(Descriptors.FileDescriptor file, String name) {
        return file.findMessageTypeByName(name);
    }

    private static Object get(DynamicMessage message, String field) {
        return message.getField(message.getDescriptorForType().findFieldByName(field));
    }

    private static List<?> list(DynamicMessage message, String field) {
        return (List<?>) message.getField(message.getDescriptorForType().findFieldByName(field));
    }

    private ServerServiceDefinition greeter() {
        return ServerServiceDefinition.builder("helloworld.Greeter")
                .addMethod(unary("helloworld.Greeter/SayHello"), ServerCalls.asyncUnaryCall((bytes, out) -> {
                    DynamicMessage request = parse(type(helloworld, "HelloRequest"), bytes);
                    String message = "Hello " + get(request, "name");
                    if (request.hasField(request.getDescriptorForType().findFieldByName("person"))) {
                        message += person((DynamicMessage) get(request, "person"));
                    }
                    reply(out, build(type(helloworld, "HelloReply"), "message", message, "items", list(request, "items"),
                            "gender", get(request, "gender")));
                }))
                .addMethod(unary("helloworld.Greeter/SayMultipleHello"), ServerCalls.asyncUnaryCall((bytes, out) -> {
                    DynamicMessage request = parse(type(helloworld, "MultipleHelloRequest"), bytes);
                    StringBuilder message = new StringBuilder("Hello " + get(request, "name"));
                    for (Object person : list(request, "persons")) {
                        message.append(person((DynamicMessage) person));
                    }
                    reply(out, build(type(helloworld, "MultipleHelloReply"), "message", message.toString(), "items", list(request, "items"),
                            "genders", list(request, "genders")));
                }))
                .addMethod(unary("helloworld.Greeter/Plus"), ServerCalls.asyncUnaryCall((bytes, out) -> {
                    DynamicMessage request = parse(type(helloworld, "PlusRequest"), bytes);
                    reply(out, build(type(helloworld, "PlusReply"), "result", (Long) get(request, "a") + (Long) get(request, "b")));
                }))
                .addMethod(unary("helloworld.Greeter/SayHelloAfterDelay"), ServerCalls.asyncUnaryCall((bytes, out) -> {
                    DynamicMessage request = parse(type(helloworld, "HelloRequest"), bytes);
                    timers.schedule(() -> reply(out, build(type(helloworld, "HelloReply"), "message", "Hello delay " + get(request, "name"))),
                            2, TimeUnit.SECONDS);
                }))
                .addMethod(unary("helloworld.Greeter/GetErrResp"), ServerCalls.asyncUnaryCall((bytes, out) -> {
                    DynamicMessage detail = build(type(helloworld, "ErrorDetail"), "code", 1L, "message", "The server is out of service",
                            "type", "service");
                    com.google.rpc.Status status = com.google.rpc.Status.newBuilder().setCode(14).setMessage("Out of service")
                            .addDetails(com.google.protobuf.Any.newBuilder().setTypeUrl("type.googleapis.com/helloworld.ErrorDetail")
                                    .setValue(detail.toByteString())).build();
                    Metadata trailers = new Metadata();
                    trailers.put(Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER), status.toByteArray());
                    out.onError(Status.UNAVAILABLE.withDescription("Out of service").asRuntimeException(trailers));
                }))
                .build();
    }

    private static String person(DynamicMessage person) {
        String text = "";
        if (!((String) get(person, "name")).isEmpty()) {
            text += ", name: " + get(person, "name");
        }
        if ((Integer) get(person, "age") != 0) {
            text += ", age: " + get(person, "age");
        }
        return text;
    }

    private ServerServiceDefinition testImport() {
        return ServerServiceDefinition.builder("helloworld.TestImport")
                .addMethod(unary("helloworld.TestImport/Run"), ServerCalls.asyncUnaryCall((bytes, out) -> {
                    DynamicMessage request = parse(type(src, "Request"), bytes);
                    DynamicMessage user = (DynamicMessage) get(request, "user");
                    Descriptors.Descriptor response = src.getDependencies().get(0).findMessageTypeByName("Response");
                    reply(out, build(response, "body", get(user, "name") + " " + get(request, "body")));
                }))
                .build();
    }

    private ServerServiceDefinition echoService() {
        return ServerServiceDefinition.builder("echo.Echo")
                .addMethod(unary("echo.Echo/EchoStruct"), ServerCalls.asyncUnaryCall((bytes, out) -> {
                    DynamicMessage request = parse(type(echo, "StructRequest"), bytes);
                    DynamicMessage.Builder reply = DynamicMessage.newBuilder(type(echo, "StructReply"));
                    Descriptors.FieldDescriptor data = request.getDescriptorForType().findFieldByName("data");
                    if (request.hasField(data)) {
                        reply.setField(reply.getDescriptorForType().findFieldByName("data"), request.getField(data));
                    }
                    reply(out, reply.build());
                }))
                .build();
    }

    private static MethodDescriptor<byte[], byte[]> unary(String name) {
        return RawMessages.method(name, MethodDescriptor.MethodType.UNARY);
    }

    private static DynamicMessage parse(Descriptors.Descriptor type, byte[] bytes) {
        try {
            return DynamicMessage.parseFrom(type, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A message of {@code type} from field name / value pairs (a list value fills a repeated field). */
    private static DynamicMessage build(Descriptors.Descriptor type, Object... pairs) {
        DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
        for (int i = 0; i < pairs.length; i += 2) {
            Descriptors.FieldDescriptor field = type.findFieldByName((String) pairs[i]);
            if (pairs[i + 1] instanceof List<?> values) {
                values.forEach(value -> message.addRepeatedField(field, value));
            } else {
                message.setField(field, pairs[i + 1]);
            }
        }
        return message.build();
    }

    private static void reply(StreamObserver<byte[]> out, DynamicMessage message) {
        out.onNext(message.toByteArray());
        out.onCompleted();
    }

    // ---- t/plugin/grpc-web/server.go --------------------------------------------------------------

    private static final HttpString GRPC_STATUS = new HttpString("grpc-status");
    private static final HttpString GRPC_MESSAGE = new HttpString("grpc-message");

    /** a6.RouteService over HTTP/2 by hand: the first message of the body is read, anything after it ignored. */
    private void routeService(HttpServerExchange exchange, byte[] body) {
        exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "application/grpc");
        String path = exchange.getRequestPath();
        DynamicMessage query;
        try {
            int length = body.length >= 5 ? ByteBuffer.wrap(body, 1, 4).getInt() : 0;
            query = DynamicMessage.parseFrom(type(routes, "Query"), java.util.Arrays.copyOfRange(body, Math.min(5, body.length),
                    Math.min(body.length, 5 + Math.max(0, length))));
        } catch (IOException e) {
            trailersOnly(exchange, 13, "grpc: error unmarshalling request");
            return;
        }
        String name = (String) get(query, "name");
        switch (path) {
            case "/a6.RouteService/GetRoute" -> {
                if (name.isEmpty()) {
                    trailersOnly(exchange, 3, "query params invalid");
                } else if (name.equals("hello") || name.equals("world")) {
                    messages(exchange, route(name));
                } else {
                    trailersOnly(exchange, 5, "route not found");
                }
            }
            case "/a6.RouteService/GetRoutes" -> messages(exchange, route("hello"), route("world"));
            case "/a6.RouteService/GetError" -> trailersOnly(exchange, 13, "execpted error");
            default -> trailersOnly(exchange, 12, "unknown service " + path);
        }
    }

    private DynamicMessage route(String name) {
        return build(type(routes, "Route"), "name", name, "path", "/" + name);
    }

    private static void messages(HttpServerExchange exchange, DynamicMessage... messages) {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (DynamicMessage message : messages) {
            byte[] bytes = message.toByteArray();
            frames.writeBytes(ByteBuffer.allocate(5).put((byte) 0).putInt(bytes.length).array());
            frames.writeBytes(bytes);
        }
        HeaderMap trailers = new HeaderMap();
        trailers.put(GRPC_STATUS, "0");
        exchange.putAttachment(HttpAttachments.RESPONSE_TRAILERS, trailers);
        exchange.getResponseSender().send(ByteBuffer.wrap(frames.toByteArray()));
    }

    private static void trailersOnly(HttpServerExchange exchange, int code, String message) {
        exchange.getResponseHeaders().put(GRPC_STATUS, code).put(GRPC_MESSAGE, message);
        exchange.endExchange();
    }

    @Override
    public void close() {
        example.shutdownNow();
        web.stop();
        timers.shutdownNow();
    }
}
