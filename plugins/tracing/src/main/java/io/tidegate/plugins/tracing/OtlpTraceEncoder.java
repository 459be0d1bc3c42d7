package io.tidegate.plugins.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Finished spans as an OTLP {@code ExportTraceServiceRequest} (opentelemetry-proto's
 * {@code collector/trace/v1}), written straight into one reused buffer. The SDK's own marshaler
 * sizes every message in a first pass and writes it in a second, through per-batch identity maps;
 * a profile of the benchmark at 100% sampling put it at a fifth of the gateway's CPU, more than
 * this plugin spends on the request path, so the batch thread writes each field once here.
 * Not thread-safe: one per exporter, which the batch processor calls from one thread.
 */
final class OtlpTraceEncoder {
    // ExportTraceServiceRequest, ResourceSpans, ScopeSpans
    private static final int RESOURCE_SPANS = 1;
    private static final int RESOURCE = 1;
    private static final int SCOPE_SPANS = 2;
    private static final int RESOURCE_SCHEMA_URL = 3;
    private static final int SCOPE = 1;
    private static final int SPANS = 2;
    private static final int SCOPE_SCHEMA_URL = 3;
    // Resource, InstrumentationScope
    private static final int RESOURCE_ATTRIBUTES = 1;
    private static final int SCOPE_NAME = 1;
    private static final int SCOPE_VERSION = 2;
    private static final int SCOPE_ATTRIBUTES = 3;
    // Span
    private static final int TRACE_ID = 1;
    private static final int SPAN_ID = 2;
    private static final int TRACE_STATE = 3;
    private static final int PARENT_SPAN_ID = 4;
    private static final int NAME = 5;
    private static final int KIND = 6;
    private static final int START = 7;
    private static final int END = 8;
    private static final int ATTRIBUTES = 9;
    private static final int DROPPED_ATTRIBUTES = 10;
    private static final int EVENTS = 11;
    private static final int DROPPED_EVENTS = 12;
    private static final int LINKS = 13;
    private static final int DROPPED_LINKS = 14;
    private static final int STATUS = 15;
    private static final int FLAGS = 16;
    // Span.Event, Span.Link, Status
    private static final int EVENT_TIME = 1;
    private static final int EVENT_NAME = 2;
    private static final int EVENT_ATTRIBUTES = 3;
    private static final int EVENT_DROPPED_ATTRIBUTES = 4;
    private static final int LINK_TRACE_ID = 1;
    private static final int LINK_SPAN_ID = 2;
    private static final int LINK_TRACE_STATE = 3;
    private static final int LINK_ATTRIBUTES = 4;
    private static final int LINK_DROPPED_ATTRIBUTES = 5;
    private static final int LINK_FLAGS = 6;
    private static final int STATUS_MESSAGE = 2;
    private static final int STATUS_CODE = 3;
    // KeyValue, AnyValue, ArrayValue
    private static final int KEY = 1;
    private static final int VALUE = 2;
    private static final int STRING_VALUE = 1;
    private static final int BOOL_VALUE = 2;
    private static final int INT_VALUE = 3;
    private static final int DOUBLE_VALUE = 4;
    private static final int ARRAY_VALUE = 5;
    private static final int ARRAY_VALUES = 1;
    /** Span flags: the low byte is the W3C trace flags; these two say whether, and that, the parent was remote. */
    private static final int HAS_IS_REMOTE = 0x100;
    private static final int IS_REMOTE = 0x200;

    private final ProtoWriter out = new ProtoWriter(64 * 1024);
    private final AttributeWriter attributeWriter = new AttributeWriter();

    /** The request for {@code spans}; valid until the next call (the bytes are {@code array()[0, size())}). */
    ProtoWriter encode(Collection<SpanData> spans) {
        out.reset();
        // one resource and one scope in practice, the same instances span after span: grouped by
        // identity, since Resource and InstrumentationScopeInfo hash all their attributes on every call
        Map<Resource, Map<InstrumentationScopeInfo, List<SpanData>>> grouped = new IdentityHashMap<>(2);
        for (SpanData span : spans) {
            grouped.computeIfAbsent(span.getResource(), r -> new IdentityHashMap<>(2))
                    .computeIfAbsent(span.getInstrumentationScopeInfo(), s -> new ArrayList<>(spans.size()))
                    .add(span);
        }
        grouped.forEach((resource, scopes) -> {
            int resourceSpans = out.begin(RESOURCE_SPANS);
            int resourceMessage = out.begin(RESOURCE);
            attributes(RESOURCE_ATTRIBUTES, resource.getAttributes());
            out.end(resourceMessage);
            scopes.forEach((scope, members) -> {
                int scopeSpans = out.begin(SCOPE_SPANS);
                int scopeMessage = out.begin(SCOPE);
                out.string(SCOPE_NAME, scope.getName());
                out.string(SCOPE_VERSION, scope.getVersion());
                attributes(SCOPE_ATTRIBUTES, scope.getAttributes());
                out.end(scopeMessage);
                for (SpanData span : members) {
                    span(span);
                }
                out.string(SCOPE_SCHEMA_URL, scope.getSchemaUrl());
                out.end(scopeSpans);
            });
            out.string(RESOURCE_SCHEMA_URL, resource.getSchemaUrl());
            out.end(resourceSpans);
        });
        return out;
    }

    private void span(SpanData span) {
        int message = out.begin(SPANS);
        SpanContext context = span.getSpanContext();
        out.hexField(TRACE_ID, context.getTraceId());
        out.hexField(SPAN_ID, context.getSpanId());
        out.string(TRACE_STATE, traceState(context.getTraceState()));
        SpanContext parent = span.getParentSpanContext();
        if (parent.isValid()) {
            out.hexField(PARENT_SPAN_ID, parent.getSpanId());
        }
        out.string(NAME, span.getName());
        out.varintField(KIND, span.getKind().ordinal() + 1);  // INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER: 1-5
        out.fixed64(START, span.getStartEpochNanos());
        out.fixed64(END, span.getEndEpochNanos());
        Attributes attributes = span.getAttributes();
        attributes(ATTRIBUTES, attributes);
        out.varintField(DROPPED_ATTRIBUTES, span.getTotalAttributeCount() - attributes.size());
        List<EventData> events = span.getEvents();
        for (EventData event : events) {
            int e = out.begin(EVENTS);
            out.fixed64(EVENT_TIME, event.getEpochNanos());
            out.string(EVENT_NAME, event.getName());
            attributes(EVENT_ATTRIBUTES, event.getAttributes());
            out.varintField(EVENT_DROPPED_ATTRIBUTES, event.getDroppedAttributesCount());
            out.end(e);
        }
        out.varintField(DROPPED_EVENTS, span.getTotalRecordedEvents() - events.size());
        List<LinkData> links = span.getLinks();
        for (LinkData link : links) {
            int l = out.begin(LINKS);
            SpanContext linked = link.getSpanContext();
            out.hexField(LINK_TRACE_ID, linked.getTraceId());
            out.hexField(LINK_SPAN_ID, linked.getSpanId());
            out.string(LINK_TRACE_STATE, traceState(linked.getTraceState()));
            attributes(LINK_ATTRIBUTES, link.getAttributes());
            out.varintField(LINK_DROPPED_ATTRIBUTES, link.getTotalAttributeCount() - link.getAttributes().size());
            out.fixed32(LINK_FLAGS, flags(linked.getTraceFlags().asByte(), linked.isRemote()));
            out.end(l);
        }
        out.varintField(DROPPED_LINKS, span.getTotalRecordedLinks() - links.size());
        StatusData status = span.getStatus();
        int s = out.begin(STATUS);
        out.string(STATUS_MESSAGE, status.getDescription());
        out.varintField(STATUS_CODE, switch (status.getStatusCode()) {
            case UNSET -> 0;
            case OK -> 1;
            case ERROR -> 2;
        });
        out.end(s);
        out.fixed32(FLAGS, flags(context.getTraceFlags().asByte(), parent.isRemote()));
        out.end(message);
    }

    private static int flags(byte traceFlags, boolean remote) {
        return (traceFlags & 0xFF) | HAS_IS_REMOTE | (remote ? IS_REMOTE : 0);
    }

    /** W3C's tracestate header form ({@code k1=v1,k2=v2}), or null when empty. */
    private static String traceState(TraceState state) {
        return state.isEmpty() ? null : OpenTelemetryPlugin.traceState(state);
    }

    private void attributes(int field, Attributes attributes) {
        if (!attributes.isEmpty()) {
            attributeWriter.field = field;
            attributes.forEach(attributeWriter);
        }
    }

    /** One KeyValue per attribute (a field, not a lambda, so a span's attributes allocate nothing). */
    private final class AttributeWriter implements BiConsumer<AttributeKey<?>, Object> {
        private int field;

        @Override
        public void accept(AttributeKey<?> key, Object value) {
            int keyValue = out.begin(field);
            out.string(KEY, key.getKey());
            int any = out.begin(VALUE);
            switch (key.getType()) {
                case STRING -> out.stringAlways(STRING_VALUE, (String) value);
                case BOOLEAN -> out.varintAlways(BOOL_VALUE, (Boolean) value ? 1 : 0);
                case LONG -> out.varintAlways(INT_VALUE, (Long) value);
                case DOUBLE -> out.fixed64(DOUBLE_VALUE, Double.doubleToRawLongBits((Double) value));
                case STRING_ARRAY, BOOLEAN_ARRAY, LONG_ARRAY, DOUBLE_ARRAY -> array((List<?>) value);
                default -> out.stringAlways(STRING_VALUE, String.valueOf(value));
            }
            out.end(any);
            out.end(keyValue);
        }

        private void array(List<?> values) {
            int array = out.begin(ARRAY_VALUE);
            for (Object element : values) {
                int any = out.begin(ARRAY_VALUES);
                if (element instanceof String text) {
                    out.stringAlways(STRING_VALUE, text);
                } else if (element instanceof Boolean flag) {
                    out.varintAlways(BOOL_VALUE, flag ? 1 : 0);
                } else if (element instanceof Long number) {
                    out.varintAlways(INT_VALUE, number);
                } else if (element instanceof Double number) {
                    out.fixed64(DOUBLE_VALUE, Double.doubleToRawLongBits(number));
                }
                out.end(any);
            }
            out.end(array);
        }
    }
}
