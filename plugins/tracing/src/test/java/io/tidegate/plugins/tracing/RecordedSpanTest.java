package io.tidegate.plugins.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spans as the plugin records them: sampling, parents, the attribute limit, and what reaches the processor. */
class RecordedSpanTest {
    private final List<ReadableSpan> ended = new ArrayList<>();
    private final SpanRecorder recorder = new SpanRecorder(TracerHolder.resource(null),
            InstrumentationScopeInfo.create("opentelemetry-lua"), new SpanProcessor() {
                @Override
                public void onStart(Context parent, ReadWriteSpan span) {
                }

                @Override
                public boolean isStartRequired() {
                    return false;
                }

                @Override
                public void onEnd(ReadableSpan span) {
                    ended.add(span);
                }

                @Override
                public boolean isEndRequired() {
                    return true;
                }
            });

    @Test
    void aClientsSampledContextIsContinuedAndATryIsItsChild() throws Exception {
        SpanContext client = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.builder().put("vendor", "v1").build());
        RecordedSpan server = recorder.start(Context.root().with(Span.wrap(client)), Sampler.parentBased(Sampler.alwaysOff()),
                null, "GET", SpanKind.SERVER);
        assertTrue(server.isRecording(), "a sampled parent is followed");
        assertEquals(client.getTraceId(), server.getSpanContext().getTraceId());
        assertSame(client, server.getParentSpanContext());
        assertEquals("v1", server.getSpanContext().getTraceState().get("vendor"));

        RecordedSpan attempt = recorder.startChild(server, "GET", SpanKind.CLIENT);
        attempt.setAttribute(AttributeKey.longKey("server.port"), 9100L);
        attempt.setStatus(StatusCode.ERROR, "connect_failed");
        attempt.end();
        server.end();
        server.setAttribute(AttributeKey.stringKey("late"), "ignored");
        server.end();

        assertEquals(List.of(attempt, server), ended, "each span reaches the processor once, when it ends");
        assertEquals(server.getSpanContext().getSpanId(), attempt.getParentSpanId());
        assertFalse(attempt.getParentSpanContext().isRemote());
        assertTrue(attempt.getStartEpochNanos() >= server.getStartEpochNanos());
        assertTrue(server.getEndEpochNanos() >= attempt.getEndEpochNanos());
        assertNull(server.getAttributes().get(AttributeKey.stringKey("late")), "nothing is written after the end");

        ProtoWriter written = new OtlpTraceEncoder().encode(List.of(attempt, server));
        var spans = ExportTraceServiceRequest.parseFrom(java.util.Arrays.copyOf(written.array(), written.size()))
                .getResourceSpans(0).getScopeSpans(0).getSpansList();
        assertEquals("opentelemetry-lua", ExportTraceServiceRequest.parseFrom(java.util.Arrays.copyOf(written.array(), written.size()))
                .getResourceSpans(0).getScopeSpans(0).getScope().getName());
        assertEquals(9100L, spans.get(0).getAttributes(0).getValue().getIntValue());
        assertEquals("connect_failed", spans.get(0).getStatus().getMessage());
        assertEquals(0x01 | 0x100 | 0x200, spans.get(1).getFlags(), "the server span's parent was remote");
    }

    @Test
    void anUnsampledRequestOnlyCarriesAContextAndReachesNoProcessor() {
        RecordedSpan server = recorder.start(Context.root(), Sampler.traceIdRatioBased(0), null, "GET", SpanKind.SERVER);
        assertFalse(server.isRecording());
        assertFalse(server.getSpanContext().isSampled());
        assertTrue(server.getSpanContext().isValid(), "its traceparent still goes upstream");
        server.setAttribute(AttributeKey.stringKey("a"), "b");
        server.end();
        assertTrue(ended.isEmpty());
    }

    @Test
    void aTraceIdFromTheRequestStartsTheTraceOnlyWithoutAParent() {
        String id = "4bf92f3577b34da6a3ce929d0e0e4736";
        assertEquals(id, recorder.start(Context.root(), Sampler.alwaysOn(), id, "GET", SpanKind.SERVER).getSpanContext().getTraceId());
    }

    @Test
    void pastTheLimitAttributesAreCountedAndDropped() {
        RecordedSpan span = recorder.start(Context.root(), Sampler.alwaysOn(), null, "GET", SpanKind.SERVER);
        for (int i = 0; i < SpanAttributes.LIMIT + 5; i++) {
            span.setAttribute(AttributeKey.stringKey("a" + i), "v");
        }
        span.setAttribute(AttributeKey.stringKey("a0"), "replaced");
        SpanData data = span.toSpanData();
        assertEquals(SpanAttributes.LIMIT, data.getAttributes().size());
        assertEquals(SpanAttributes.LIMIT + 5, data.getTotalAttributeCount(), "a replaced value is not a new attribute");
        assertEquals("replaced", data.getAttributes().get(AttributeKey.stringKey("a0")));
        assertNull(data.getAttributes().get(AttributeKey.stringKey("a" + SpanAttributes.LIMIT)));
    }
}
