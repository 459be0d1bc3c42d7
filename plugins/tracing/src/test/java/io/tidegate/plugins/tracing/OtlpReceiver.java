package io.tidegate.plugins.tracing;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A tiny OTLP/HTTP collector: POST /v1/traces, protobuf ExportTraceServiceRequest, every span kept. */
final class OtlpReceiver implements AutoCloseable {
    record Received(Span span, Resource resource, String contentType) {
        String traceId() {
            return HexFormat.of().formatHex(span.getTraceId().toByteArray());
        }

        String spanId() {
            return HexFormat.of().formatHex(span.getSpanId().toByteArray());
        }

        String parentSpanId() {
            return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
        }

        Map<String, Object> attributes() {
            return values(span.getAttributesList());
        }

        Map<String, Object> resourceAttributes() {
            return values(resource.getAttributesList());
        }

        private static Map<String, Object> values(List<KeyValue> list) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (KeyValue kv : list) {
                AnyValue v = kv.getValue();
                out.put(kv.getKey(), switch (v.getValueCase()) {
                    case STRING_VALUE -> v.getStringValue();
                    case INT_VALUE -> v.getIntValue();
                    case BOOL_VALUE -> v.getBoolValue();
                    case DOUBLE_VALUE -> v.getDoubleValue();
                    default -> v.toString();
                });
            }
            return out;
        }
    }

    private final HttpServer server;
    final List<Received> spans = new CopyOnWriteArrayList<>();
    final List<String> collectorKeys = new CopyOnWriteArrayList<>();
    volatile long delayMillis;

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                String type = exchange.getRequestHeaders().getFirst("Content-Type");
                collectorKeys.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-Collector-Key")));
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
                request.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss ->
                        ss.getSpansList().forEach(span -> spans.add(new Received(span, rs.getResource(), type)))));
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** The first span matching {@code test}, waiting up to 5 s; null if none came. */
    Received await(Predicate<Received> test) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            for (Received r : spans) {
                if (test.test(r)) {
                    return r;
                }
            }
            Thread.sleep(20);
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
