package io.tidegate.testing;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.SslContext;
import io.tidegate.grpc.RawMessages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real gRPC server (grpc-java on Netty) with one service, {@code test.Echo}, whose messages are
 * raw bytes, so no generated code is needed: Unary echoes; Count streams N numbered messages for a
 * 4-byte N; Chat echoes each message of a bidi stream as it comes; Slow answers after 5 s unless
 * cancelled; Fail ends with FAILED_PRECONDITION and custom trailers. The request headers of the
 * last call and the number of calls cancelled are kept for assertions.
 */
public final class GrpcTestServer implements AutoCloseable {
    public static final String SERVICE = "test.Echo";
    public static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<byte[], byte[]> COUNT = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    public static final MethodDescriptor<byte[], byte[]> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);
    public static final MethodDescriptor<byte[], byte[]> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<byte[], byte[]> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
    /** Echoes after 300 ms: calls that overlap. */
    public static final MethodDescriptor<byte[], byte[]> DELAY = method("Delay", MethodDescriptor.MethodType.UNARY);
    /** Client streaming, answered with the first message at once: the response ends while the request goes on. */
    public static final MethodDescriptor<byte[], byte[]> FIRST = method("First", MethodDescriptor.MethodType.CLIENT_STREAMING);
    public static final Metadata.Key<String> REASON = Metadata.Key.of("x-reason", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<byte[]> DETAIL = Metadata.Key.of("x-detail-bin", Metadata.BINARY_BYTE_MARSHALLER);
    public static final String FAIL_MESSAGE = "not now: ü 100%";

    private final Server server;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final AtomicReference<Metadata> lastHeaders = new AtomicReference<>();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final AtomicInteger healthChecks = new AtomicInteger();
    private final AtomicInteger requestStreamsEnded = new AtomicInteger();
    private volatile boolean serving = true;

    private GrpcTestServer(SslContext tls) {
        this(tls, 0);
    }

    private GrpcTestServer(SslContext tls, int maxConcurrentCalls) {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .maxInboundMessageSize(64 << 20)
                .addService(ServerInterceptors.intercept(service(), new RememberHeaders()))
                .addService(health());
        if (tls != null) {
            builder.sslContext(tls);
        }
        if (maxConcurrentCalls > 0) {
            builder.maxConcurrentCallsPerConnection(maxConcurrentCalls);
        }
        try {
            server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GrpcTestServer start() {
        return new GrpcTestServer(null);
    }

    /** Advertising SETTINGS_MAX_CONCURRENT_STREAMS {@code maxConcurrentCalls}: a client needs several connections. */
    public static GrpcTestServer startLimited(int maxConcurrentCalls) {
        return new GrpcTestServer(null, maxConcurrentCalls);
    }

    /** Over TLS, with the given Netty server context (GrpcSslContexts.forServer(...)). */
    public static GrpcTestServer startTls(SslContext tls) {
        return new GrpcTestServer(tls);
    }

    public int port() {
        return server.getPort();
    }

    /** The request headers of the last call the server received. */
    public Metadata lastHeaders() {
        return lastHeaders.get();
    }

    /** How many calls were cancelled before they ended (the client side went away or reset them). */
    public int cancelled() {
        return cancelled.get();
    }

    /** What the standard health service answers from now on: SERVING, or NOT_SERVING. */
    public void serving(boolean serving) {
        this.serving = serving;
    }

    /** How many First calls saw their request stream end (half-closed or reset) after they answered. */
    public int requestStreamsEnded() {
        return requestStreamsEnded.get();
    }

    /** How many grpc.health.v1.Health/Check calls the server answered. */
    public int healthChecks() {
        return healthChecks.get();
    }

    public static byte[] int32(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    public static int int32(byte[] bytes) {
        return ByteBuffer.wrap(bytes).getInt();
    }

    private ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext(request);
                    response.onCompleted();
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((request, response) -> {
                    int n = int32(request);
                    for (int i = 0; i < n; i++) {
                        response.onNext(int32(i));
                    }
                    response.onCompleted();
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall((StreamObserver<byte[]> response) -> new StreamObserver<byte[]>() {
                    @Override
                    public void onNext(byte[] message) {
                        response.onNext(message);
                    }

                    @Override
                    public void onError(Throwable t) {
                        cancelled.incrementAndGet();
                    }

                    @Override
                    public void onCompleted() {
                        response.onCompleted();
                    }
                }))
                .addMethod(SLOW, ServerCalls.asyncUnaryCall((request, response) -> {
                    Context.current().addListener(context -> cancelled.incrementAndGet(), Runnable::run);
                    timers.schedule(() -> {
                        if (!Context.current().isCancelled()) {
                            response.onNext(request);
                            response.onCompleted();
                        }
                    }, 5, TimeUnit.SECONDS);
                }))
                .addMethod(DELAY, ServerCalls.asyncUnaryCall((request, response) -> timers.schedule(() -> {
                    response.onNext(request);
                    response.onCompleted();
                }, 300, TimeUnit.MILLISECONDS)))
                .addMethod(FIRST, ServerCalls.asyncClientStreamingCall(response -> new StreamObserver<byte[]>() {
                    private boolean answered;

                    @Override
                    public void onNext(byte[] message) {
                        if (!answered) {
                            answered = true;
                            response.onNext(message);
                            response.onCompleted();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        requestStreamsEnded.incrementAndGet();
                    }

                    @Override
                    public void onCompleted() {
                        requestStreamsEnded.incrementAndGet();
                    }
                }))
                .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, response) -> {
                    Metadata trailers = new Metadata();
                    trailers.put(REASON, "quota");
                    trailers.put(DETAIL, new byte[] {1, 2, 3, (byte) 0xff});
                    response.onError(Status.FAILED_PRECONDITION.withDescription(FAIL_MESSAGE).asRuntimeException(trailers));
                }))
                .build();
    }

    /** grpc.health.v1.Health/Check, its HealthCheckResponse written by hand: field 1, the status enum. */
    private ServerServiceDefinition health() {
        MethodDescriptor<byte[], byte[]> check = RawMessages.method("grpc.health.v1.Health/Check", MethodDescriptor.MethodType.UNARY);
        return ServerServiceDefinition.builder("grpc.health.v1.Health")
                .addMethod(check, ServerCalls.asyncUnaryCall((request, response) -> {
                    healthChecks.incrementAndGet();
                    response.onNext(new byte[] {0x08, (byte) (serving ? 1 : 2)});
                    response.onCompleted();
                }))
                .build();
    }

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return RawMessages.method(MethodDescriptor.generateFullMethodName(SERVICE, name), type);
    }


    private final class RememberHeaders implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            lastHeaders.set(headers);
            return Contexts.interceptCall(Context.current(), call, headers, next);
        }
    }

    public static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.shutdownNow();
        timers.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
