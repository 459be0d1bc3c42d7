package io.tidegate.plugins.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;

/**
 * Starts a request's spans as the SDK's tracer would (ids from its random generator, the route's
 * SDK sampler asked for the request's span with the parent context, its trace state kept) and
 * hands each to the SDK's span processor when it ends.
 *
 * <p>Why not the SDK's own spans: at 100% sampling, the benchmark's gateway spent more on the SDK's
 * span objects than on the rest of the plugin (a lock and a hash slot per attribute, a sorted copy
 * of them per export); {@link RecordedSpan} keeps what APISIX's spans carry, nothing more.
 */
final class SpanRecorder {
    private final IdGenerator ids = IdGenerator.random();
    private final Clock clock = Clock.getDefault();
    private final Resource resource;
    private final InstrumentationScopeInfo scope;
    private final SpanProcessor processor;

    SpanRecorder(Resource resource, InstrumentationScopeInfo scope, SpanProcessor processor) {
        this.resource = resource;
        this.scope = scope;
        this.processor = processor;
    }

    /**
     * A request's span: a child of the span in {@code parent} when there is one (the client's), else
     * the root of a trace whose id is {@code traceId} or a random one; recording when the sampler
     * says so, otherwise carrying only its context.
     */
    RecordedSpan start(Context parent, Sampler sampler, String traceId, String name, SpanKind kind) {
        SpanContext parentSpan = Span.fromContext(parent).getSpanContext();
        String trace = parentSpan.isValid() ? parentSpan.getTraceId() : traceId != null ? traceId : ids.generateTraceId();
        SamplingResult result = sampler.shouldSample(parent, trace, name, kind, Attributes.empty(), List.of());
        SamplingDecision decision = result.getDecision();
        TraceState state = result.getUpdatedTraceState(parentSpan.getTraceState());
        TraceFlags flags = decision == SamplingDecision.RECORD_AND_SAMPLE ? TraceFlags.getSampled() : TraceFlags.getDefault();
        SpanContext context = SpanContext.create(trace, ids.generateSpanId(), flags, state);
        RecordedSpan span = new RecordedSpan(this, context, parentSpan, name, kind, clock.now(), System.nanoTime(),
                decision != SamplingDecision.DROP);
        result.getAttributes().forEach((key, value) -> putUnchecked(span, key, value));
        return span;
    }

    /** A span under {@code parent}, in its trace, sampled as it is (what a parent-based sampler decides), on its clock. */
    RecordedSpan startChild(RecordedSpan parent, String name, SpanKind kind) {
        SpanContext of = parent.getSpanContext();
        SpanContext context = SpanContext.create(of.getTraceId(), ids.generateSpanId(), of.getTraceFlags(), of.getTraceState());
        return new RecordedSpan(this, context, of, name, kind, parent.anchorEpochNanos(), parent.anchorNanoTime(),
                parent.records());
    }

    @SuppressWarnings("unchecked")
    private static void putUnchecked(RecordedSpan span, io.opentelemetry.api.common.AttributeKey<?> key, Object value) {
        span.setAttribute((io.opentelemetry.api.common.AttributeKey<Object>) key, value);
    }

    void ended(RecordedSpan span) {
        processor.onEnd(span);
    }

    Resource resource() {
        return resource;
    }

    InstrumentationScopeInfo scope() {
        return scope;
    }
}
