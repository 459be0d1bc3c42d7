package io.tidegate.health;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.tidegate.config.HealthChecks;
import io.tidegate.grpc.RawMessages;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * An active check of type {@code grpc} (cleartext HTTP/2) or {@code grpcs} (TLS): the standard
 * gRPC health service, {@code grpc.health.v1.Health/Check} for {@code grpc_service} ("" asks about
 * the server as a whole), on a fresh connection each time. SERVING counts as status 200, any other
 * answer as 503, a node without the health service (UNIMPLEMENTED) as 501, so the thresholds'
 * status lists judge them; a refused or broken connection is a TCP failure, no answer within
 * {@code timeout} a timeout. The two messages are encoded by hand: one string field out, one enum in.
 */
final class GrpcProbe implements Probe {
    private static final int SERVING = 1;
    private static final MethodDescriptor<byte[], byte[]> CHECK =
            RawMessages.method("grpc.health.v1.Health/Check", MethodDescriptor.MethodType.UNARY);

    private final HealthChecks.Active check;
    private final io.netty.handler.ssl.SslContext tls;

    /** @param tls the client TLS context for type grpcs, null for grpc */
    GrpcProbe(HealthChecks.Active check, SSLContext tls) {
        this.check = check;
        this.tls = tls == null ? null : new JdkSslContext(tls, true, null, IdentityCipherSuiteFilter.INSTANCE,
                new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2),
                ClientAuth.NONE, null, false);
    }

    @Override
    public Result run(ProbeTarget target) {
        int port = check.port() != null ? check.port() : target.port();
        long timeoutMillis = Math.max(1, Math.round(check.timeout() * 1000));
        String host = check.host() != null ? check.host() : target.host();
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(target.ip(), port)
                .withOption(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis)
                .overrideAuthority(host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port);
        if (tls == null) {
            builder.usePlaintext();
        } else {
            builder.sslContext(tls);
        }
        ManagedChannel channel = builder.build();
        try {
            byte[] answer = ClientCalls.blockingUnaryCall(channel, CHECK,
                    CallOptions.DEFAULT.withDeadlineAfter(timeoutMillis, TimeUnit.MILLISECONDS), request(check.grpcService()));
            return new Result(null, servingStatus(answer) == SERVING ? 200 : 503);
        } catch (StatusRuntimeException e) {
            Status.Code code = e.getStatus().getCode();
            if (code == Status.Code.DEADLINE_EXCEEDED) {
                return Result.of(Outcome.TIMEOUT);
            }
            if (code == Status.Code.UNIMPLEMENTED) {
                return new Result(null, 501);
            }
            if (code == Status.Code.NOT_FOUND) {
                return new Result(null, 503);  // the server does not know the service asked about
            }
            return Result.of(Outcome.TCP_FAILURE);
        } catch (RuntimeException e) {
            return Result.of(Outcome.TCP_FAILURE);
        } finally {
            channel.shutdownNow();
        }
    }

    /** HealthCheckRequest { string service = 1; } */
    private static byte[] request(String service) {
        byte[] name = service.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length + 6);
        out.write(0x0a);
        writeVarint(out, name.length);
        out.write(name, 0, name.length);
        return out.toByteArray();
    }

    /** HealthCheckResponse { ServingStatus status = 1; }: the status, 0 (UNKNOWN) when absent or unreadable. */
    private static int servingStatus(byte[] message) {
        int i = 0;
        while (i < message.length) {
            int tag = message[i++] & 0xff;
            if (tag == 0x08) {
                long value = 0;
                for (int shift = 0; i < message.length && shift < 64; shift += 7) {
                    byte b = message[i++];
                    value |= (long) (b & 0x7f) << shift;
                    if (b >= 0) {
                        return (int) value;
                    }
                }
                return 0;
            }
            return 0;  // the response has no other field
        }
        return 0;
    }

    private static void writeVarint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7f) != 0) {
            out.write((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }
}
