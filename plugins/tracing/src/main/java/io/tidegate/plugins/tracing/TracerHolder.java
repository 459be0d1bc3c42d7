package io.tidegate.plugins.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.sdk.common.InternalTelemetryVersion;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugins.tracing.OpenTelemetryPlugin.Attr;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One tracer provider per distinct {@code plugin_attr} (shared by every instance through
 * {@code services.shared}): the SDK's BatchSpanProcessor and an OTLP/HTTP exporter configured
 * from it. Routes differ only in their sampler, which travels with the request in the parent
 * context ({@link #SAMPLER}); the provider's sampler reads it from there.
 */
final class TracerHolder implements AutoCloseable {
    static final ContextKey<Sampler> SAMPLER = ContextKey.named("tidegate-route-sampler");

    /** A trace id taken from X-Request-Id for the span started next on this thread (trace_id_source). */
    static final ThreadLocal<String> NEXT_TRACE_ID = new ThreadLocal<>();

    final SdkTracerProvider provider;
    final Tracer tracer;

    TracerHolder(Attr attributes, DropCounter drops, PluginLog log) {
        OpenTelemetryPlugin.Collector collector = attributes.collector();
        Duration timeout = Duration.ofSeconds(Math.max(1, collector.requestTimeout()));
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (collector.requestHeaders() != null) {
            collector.requestHeaders().forEach((name, value) -> headers.put(name, String.valueOf(value)));
        }
        OtlpHttpExporter exporter = new OtlpHttpExporter(collector.address(), timeout, Map.copyOf(headers), drops, log);
        OpenTelemetryPlugin.Batch batch = attributes.batchSpanProcessor();
        BatchSpanProcessor processor = BatchSpanProcessor.builder(exporter)
                .setMaxQueueSize(Math.max(1, batch.maxQueueSize()))
                .setMaxExportBatchSize(Math.max(1, Math.min(batch.maxExportBatchSize(), batch.maxQueueSize())))
                .setScheduleDelay(Math.max(1, Math.round(batch.batchTimeout() * 1000)), TimeUnit.MILLISECONDS)
                .setExporterTimeout(timeout)
                .setInternalTelemetryVersion(InternalTelemetryVersion.LEGACY)
                .setMeterProvider(new DropCountingMeterProvider(drops))
                .build();
        provider = SdkTracerProvider.builder()
                .setResource(resource(attributes.resource()))
                .setSampler(new RouteSampler())
                .setIdGenerator(new RequestIdGenerator("x-request-id".equals(attributes.traceIdSource())))
                .addSpanProcessor(processor)
                .setMeterProvider(MeterProvider::noop)
                .build();
        tracer = provider.get("opentelemetry-lua");
    }

    /** APISIX's resource: hostname, service.name "APISIX" unless set, then the configured ones. */
    static Resource resource(Map<String, Object> configured) {
        AttributesBuilder attributes = Attributes.builder().put("hostname", Hostname.NAME);
        if (configured == null || !configured.containsKey("service.name")) {
            attributes.put("service.name", "APISIX");
        }
        if (configured != null) {
            configured.forEach((key, value) -> {
                if (value instanceof Boolean b) {
                    attributes.put(AttributeKey.booleanKey(key), b);
                } else if (value instanceof Number n) {
                    attributes.put(AttributeKey.doubleKey(key), n.doubleValue());
                } else if (value != null) {
                    attributes.put(key, value.toString());
                }
            });
        }
        return Resource.create(attributes.build());
    }

    @Override
    public void close() {
        // flushes what is queued, then stops the processor's thread and the exporter
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }

    /** The route's sampler, carried in the parent context; always_off when none is there. */
    private static final class RouteSampler implements Sampler {
        @Override
        public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                           Attributes attributes, List<LinkData> parentLinks) {
            Sampler sampler = parentContext.get(SAMPLER);
            return (sampler == null ? Sampler.alwaysOff() : sampler)
                    .shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
        }

        @Override
        public String getDescription() {
            return "RouteSampler";
        }
    }

    /**
     * Random ids, except a trace id the plugin found in X-Request-Id for this span (trace_id_source).
     * Wrapping the SDK's generator also keeps W3C's "random trace id" flag out of the trace flags,
     * so {@code traceparent} ends in {@code -00} or {@code -01} as APISIX's does.
     */
    private static final class RequestIdGenerator implements IdGenerator {
        private final IdGenerator random = IdGenerator.random();
        private final boolean fromRequestId;

        RequestIdGenerator(boolean fromRequestId) {
            this.fromRequestId = fromRequestId;
        }

        @Override
        public String generateSpanId() {
            return random.generateSpanId();
        }

        @Override
        public String generateTraceId() {
            String fromRequest = fromRequestId ? NEXT_TRACE_ID.get() : null;  // a thread-local read only when asked for
            return fromRequest != null ? fromRequest : random.generateTraceId();
        }
    }

    private static final class Hostname {
        static final String NAME = lookUp();

        private static String lookUp() {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env;
            }
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "localhost";
            }
        }
    }
}
