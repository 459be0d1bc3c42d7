package io.tidegate.plugins.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;

/**
 * A span of one request (its SERVER span or a try's CLIENT span), made by {@link SpanRecorder}.
 * When it ends it goes to the SDK's batch span processor as a {@code ReadableSpan} and is exported
 * as its own {@code SpanData}: nothing is copied between the request and the export.
 *
 * <p>A request's phases and tries run one after another, so one thread at a time writes a span; the
 * batch processor's queue hands it to the export thread after {@link #end}, and it is not written
 * after that (a late write is ignored). A span that does not record (not sampled) only carries
 * its context, for {@code traceparent}.
 */
final class RecordedSpan implements ReadableSpan, SpanData {
    private final SpanRecorder recorder;
    private final SpanContext context;
    private final SpanContext parent;
    private final String name;
    private final SpanKind kind;
    /** The request's first span's wall-clock start and the monotonic clock then: every time of its spans counts from them. */
    private final long anchorEpochNanos;
    private final long anchorNanoTime;
    private final long startEpochNanos;
    private final SpanAttributes attributes;
    private StatusData status = StatusData.unset();
    private long endEpochNanos;
    private boolean ended;

    RecordedSpan(SpanRecorder recorder, SpanContext context, SpanContext parent, String name, SpanKind kind,
                 long anchorEpochNanos, long anchorNanoTime, boolean recording) {
        this.recorder = recorder;
        this.context = context;
        this.parent = parent;
        this.name = name;
        this.kind = kind;
        this.anchorEpochNanos = anchorEpochNanos;
        this.anchorNanoTime = anchorNanoTime;
        this.startEpochNanos = now();
        this.attributes = recording ? new SpanAttributes() : null;
    }

    long now() {
        return anchorEpochNanos + (System.nanoTime() - anchorNanoTime);
    }

    long anchorEpochNanos() {
        return anchorEpochNanos;
    }

    long anchorNanoTime() {
        return anchorNanoTime;
    }

    /** Whether the sampler chose to record it (true after it ended too). */
    boolean records() {
        return attributes != null;
    }

    boolean isRecording() {
        return attributes != null && !ended;
    }

    <T> void setAttribute(AttributeKey<T> key, T value) {
        if (isRecording()) {
            attributes.put(key, value);
        }
    }

    void setStatus(StatusCode code, String description) {
        if (isRecording()) {
            status = StatusData.create(code, description);
        }
    }

    /** Ends a recording span once and hands it to the batch processor; a later call does nothing. */
    void end() {
        if (isRecording()) {
            endEpochNanos = now();
            ended = true;
            recorder.ended(this);
        }
    }

    @Override
    public SpanContext getSpanContext() {
        return context;
    }

    @Override
    public SpanContext getParentSpanContext() {
        return parent;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public SpanKind getKind() {
        return kind;
    }

    @Override
    public SpanData toSpanData() {
        return this;
    }

    @Override
    public boolean hasEnded() {
        return ended;
    }

    @Override
    public long getLatencyNanos() {
        return (ended ? endEpochNanos : now()) - startEpochNanos;
    }

    @Override
    public <T> T getAttribute(AttributeKey<T> key) {
        return attributes == null ? null : attributes.get(key);
    }

    @Override
    public Attributes getAttributes() {
        return attributes == null ? Attributes.empty() : attributes;
    }

    @Override
    public int getTotalAttributeCount() {
        return attributes == null ? 0 : attributes.total();
    }

    @Override
    public StatusData getStatus() {
        return status;
    }

    @Override
    public long getStartEpochNanos() {
        return startEpochNanos;
    }

    @Override
    public long getEndEpochNanos() {
        return endEpochNanos;
    }

    @Override
    public List<EventData> getEvents() {
        return List.of();
    }

    @Override
    public List<LinkData> getLinks() {
        return List.of();
    }

    @Override
    public int getTotalRecordedEvents() {
        return 0;
    }

    @Override
    public int getTotalRecordedLinks() {
        return 0;
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
        return recorder.scope();
    }

    @Override
    @Deprecated
    public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
        InstrumentationScopeInfo scope = recorder.scope();
        return InstrumentationLibraryInfo.create(scope.getName(), scope.getVersion(), scope.getSchemaUrl());
    }

    @Override
    public Resource getResource() {
        return recorder.resource();
    }

    @Override
    public String toString() {
        return "RecordedSpan{" + name + " " + kind + " " + context + " parent " + parent.getSpanId() + "}";
    }
}
