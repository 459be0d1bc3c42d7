package io.tidegate.plugins.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The hand-written OTLP encoding, read back by opentelemetry-proto's generated parser: every
 * field a span can carry, each attribute type, lengths over 127 (where a nested message's length
 * takes two bytes), non-ASCII text, and a batch of many spans.
 */
class OtlpTraceEncoderTest {
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String PARENT = "b7ad6b7169203331";

    private static List<SpanData> record(java.util.function.Consumer<io.opentelemetry.api.trace.Tracer> spans) {
        List<SpanData> finished = new ArrayList<>();
        SpanExporter keep = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> batch) {
                finished.addAll(batch);
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "svc",
                        AttributeKey.doubleKey("deployment"), 3.0)))
                .setSpanLimits(SpanLimits.builder().setMaxNumberOfAttributes(12).setMaxNumberOfEvents(1).build())
                .addSpanProcessor(SimpleSpanProcessor.create(keep))
                .build();
        spans.accept(provider.get("opentelemetry-lua", "0.2"));
        provider.shutdown().join(5, TimeUnit.SECONDS);
        return finished;
    }

    private static ExportTraceServiceRequest roundTrip(List<SpanData> spans) throws Exception {
        ProtoWriter written = new OtlpTraceEncoder().encode(spans);
        return ExportTraceServiceRequest.parseFrom(java.util.Arrays.copyOf(written.array(), written.size()));
    }

    private static Map<String, AnyValue> attributes(List<KeyValue> keyValues) {
        return keyValues.stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
    }

    private static String hex(com.google.protobuf.ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    @Test
    void everyFieldOfASpanReadsBackAsTheSdkRecordedIt() throws Exception {
        String longText = "x".repeat(300);
        List<SpanData> spans = record(tracer -> {
            SpanContext remote = SpanContext.createFromRemoteParent(TRACE, PARENT, TraceFlags.getSampled(),
                    TraceState.builder().put("vendor", "v1").put("other", "o2").build());
            Span span = tracer.spanBuilder("GET")
                    .setParent(Context.root().with(Span.wrap(remote)))
                    .setSpanKind(SpanKind.SERVER)
                    .addLink(SpanContext.create(TRACE, "00f067aa0ba902b7", TraceFlags.getDefault(), TraceState.getDefault()),
                            Attributes.of(AttributeKey.stringKey("link.reason"), "retry"))
                    .startSpan();
            span.setAttribute("text", "héllo wörld ✓");
            span.setAttribute("empty", "");
            span.setAttribute("long", longText);
            span.setAttribute(AttributeKey.longKey("negative"), -42L);
            span.setAttribute(AttributeKey.longKey("zero"), 0L);
            span.setAttribute(AttributeKey.doubleKey("ratio"), 0.25);
            span.setAttribute(AttributeKey.booleanKey("no"), false);
            span.setAttribute(AttributeKey.stringArrayKey("names"), List.of("a", "", "c"));
            span.setAttribute(AttributeKey.longArrayKey("numbers"), List.of(1L, 300L));
            span.setAttribute(AttributeKey.booleanArrayKey("flags"), List.of(true, false));
            span.setAttribute(AttributeKey.doubleArrayKey("doubles"), List.of(1.5));
            span.setAttribute("twelfth", "kept");
            span.setAttribute("thirteenth", "over the limit of 12");
            span.addEvent("first", Attributes.of(AttributeKey.stringKey("e"), "1"));
            span.addEvent("second, over the limit of 1");
            span.setStatus(StatusCode.ERROR, "upstream error: 503");
            span.end();
        });
        ExportTraceServiceRequest request = roundTrip(spans);
        SpanData recorded = spans.get(0);

        assertEquals(1, request.getResourceSpansCount());
        ResourceSpans resourceSpans = request.getResourceSpans(0);
        Map<String, AnyValue> resource = attributes(resourceSpans.getResource().getAttributesList());
        assertEquals("svc", resource.get("service.name").getStringValue());
        assertEquals(3.0, resource.get("deployment").getDoubleValue());
        ScopeSpans scopeSpans = resourceSpans.getScopeSpans(0);
        assertEquals("opentelemetry-lua", scopeSpans.getScope().getName());
        assertEquals("0.2", scopeSpans.getScope().getVersion());

        io.opentelemetry.proto.trace.v1.Span span = scopeSpans.getSpans(0);
        assertEquals(TRACE, hex(span.getTraceId()));
        assertEquals(recorded.getSpanId(), hex(span.getSpanId()));
        assertEquals(PARENT, hex(span.getParentSpanId()));
        assertEquals("other=o2,vendor=v1", span.getTraceState(), "W3C's order: the entry put last comes first");
        assertEquals(0x01 | 0x100 | 0x200, span.getFlags(), "sampled, and the parent was remote");
        assertEquals("GET", span.getName());
        assertEquals(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER, span.getKind());
        assertEquals(recorded.getStartEpochNanos(), span.getStartTimeUnixNano());
        assertEquals(recorded.getEndEpochNanos(), span.getEndTimeUnixNano());

        Map<String, AnyValue> a = attributes(span.getAttributesList());
        assertEquals(12, a.size());
        assertEquals(1, span.getDroppedAttributesCount());
        assertEquals("héllo wörld ✓", a.get("text").getStringValue());
        assertEquals(AnyValue.ValueCase.STRING_VALUE, a.get("empty").getValueCase(), "an empty string is a value");
        assertEquals(longText, a.get("long").getStringValue());
        assertEquals(-42L, a.get("negative").getIntValue());
        assertEquals(AnyValue.ValueCase.INT_VALUE, a.get("zero").getValueCase());
        assertEquals(0.25, a.get("ratio").getDoubleValue());
        assertEquals(AnyValue.ValueCase.BOOL_VALUE, a.get("no").getValueCase());
        assertEquals(false, a.get("no").getBoolValue());
        ArrayValue names = a.get("names").getArrayValue();
        assertEquals(List.of("a", "", "c"), names.getValuesList().stream().map(AnyValue::getStringValue).toList());
        assertEquals(List.of(1L, 300L), a.get("numbers").getArrayValue().getValuesList().stream().map(AnyValue::getIntValue).toList());
        assertEquals(List.of(true, false), a.get("flags").getArrayValue().getValuesList().stream().map(AnyValue::getBoolValue).toList());
        assertEquals(1.5, a.get("doubles").getArrayValue().getValues(0).getDoubleValue());

        assertEquals(1, span.getEventsCount());
        assertEquals(1, span.getDroppedEventsCount());
        assertEquals("first", span.getEvents(0).getName());
        assertEquals(recorded.getEvents().get(0).getEpochNanos(), span.getEvents(0).getTimeUnixNano());
        assertEquals("1", attributes(span.getEvents(0).getAttributesList()).get("e").getStringValue());

        assertEquals(1, span.getLinksCount());
        assertEquals("00f067aa0ba902b7", hex(span.getLinks(0).getSpanId()));
        assertEquals(TRACE, hex(span.getLinks(0).getTraceId()));
        assertEquals("retry", attributes(span.getLinks(0).getAttributesList()).get("link.reason").getStringValue());
        assertEquals(0x100, span.getLinks(0).getFlags(), "not sampled, a local context");

        assertEquals(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR, span.getStatus().getCode());
        assertEquals("upstream error: 503", span.getStatus().getMessage());
    }

    @Test
    void aBatchOfManySpansKeepsEachInOrderUnderOneScope() throws Exception {
        List<SpanData> spans = record(tracer -> {
            Span root = tracer.spanBuilder("root").setSpanKind(SpanKind.SERVER).startSpan();
            for (int i = 0; i < 600; i++) {
                Span child = tracer.spanBuilder("try " + i).setParent(Context.root().with(root)).setSpanKind(SpanKind.CLIENT).startSpan();
                child.setAttribute(AttributeKey.longKey("i"), (long) i);
                child.end();
            }
            root.end();
        });
        ExportTraceServiceRequest request = roundTrip(spans);
        List<io.opentelemetry.proto.trace.v1.Span> read = request.getResourceSpans(0).getScopeSpans(0).getSpansList();
        assertEquals(601, read.size());
        for (int i = 0; i < 600; i++) {
            assertEquals("try " + i, read.get(i).getName());
            assertEquals(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT, read.get(i).getKind());
            assertEquals((long) i, read.get(i).getAttributes(0).getValue().getIntValue());
            assertEquals(hex(read.get(600).getSpanId()), hex(read.get(i).getParentSpanId()));
            int traceFlags = spans.get(i).getSpanContext().getTraceFlags().asByte() & 0xFF;
            assertEquals(traceFlags | 0x100, read.get(i).getFlags(), "the trace flags, and a local parent");
        }
        assertEquals("", hex(read.get(600).getParentSpanId()), "the root has no parent");
    }
}
