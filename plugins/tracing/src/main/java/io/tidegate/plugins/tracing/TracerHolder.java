package io.tidegate.plugins.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.common.InternalTelemetryVersion;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugins.tracing.OpenTelemetryPlugin.Attr;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One span recorder per distinct {@code plugin_attr} (shared by every instance through
 * {@code services.shared}): the SDK's BatchSpanProcessor and an OTLP/HTTP exporter configured
 * from it. Routes differ only in their sampler, which each instance passes when a request starts.
 */
final class TracerHolder implements AutoCloseable {
    final SpanRecorder recorder;
    private final BatchSpanProcessor processor;

    TracerHolder(Attr attributes, DropCounter drops, PluginLog log) {
        OpenTelemetryPlugin.Collector collector = attributes.collector();
        Duration timeout = Duration.ofSeconds(Math.max(1, collector.requestTimeout()));
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (collector.requestHeaders() != null) {
            collector.requestHeaders().forEach((name, value) -> headers.put(name, String.valueOf(value)));
        }
        OtlpHttpExporter exporter = new OtlpHttpExporter(collector.address(), timeout, Map.copyOf(headers), drops, log);
        OpenTelemetryPlugin.Batch batch = attributes.batchSpanProcessor();
        processor = BatchSpanProcessor.builder(exporter)
                .setMaxQueueSize(Math.max(1, batch.maxQueueSize()))
                .setMaxExportBatchSize(Math.max(1, Math.min(batch.maxExportBatchSize(), batch.maxQueueSize())))
                .setScheduleDelay(Math.max(1, Math.round(batch.batchTimeout() * 1000)), TimeUnit.MILLISECONDS)
                .setExporterTimeout(timeout)
                .setInternalTelemetryVersion(InternalTelemetryVersion.LEGACY)
                .setMeterProvider(new DropCountingMeterProvider(drops))
                .build();
        // APISIX's spans come from the tracer named so (opentelemetry-lua), with no version
        recorder = new SpanRecorder(resource(attributes.resource()), InstrumentationScopeInfo.create("opentelemetry-lua"), processor);
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
        processor.shutdown().join(10, TimeUnit.SECONDS);
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
