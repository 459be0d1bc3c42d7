package io.tidegate.plugins.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.UpstreamTry;
import io.tidegate.plugin.api.UpstreamTryWatcher;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code opentelemetry}: a SERVER span per request, continued from the client's W3C
 * {@code traceparent} or starting a trace; under it a CLIENT span per try at an upstream node
 * (a retry is a second one), whose context the node receives in {@code traceparent}/
 * {@code tracestate}. The route's sampler, the ids and the batch span processor are the
 * OpenTelemetry SDK's; the spans are {@link RecordedSpan}s, exported over OTLP/HTTP (protobuf).
 */
@Extension
public final class OpenTelemetryPlugin implements GatewayPlugin<OpenTelemetryPlugin.Settings> {
    public record Settings(SamplerSettings sampler, List<String> additionalAttributes,
                           List<String> additionalHeaderPrefixAttributes) {}

    public record SamplerSettings(String name, SamplerOptions options) {}

    public record SamplerOptions(Double fraction, RootSampler root) {}

    public record RootSampler(String name, RootOptions options) {}

    public record RootOptions(Double fraction) {}

    /** {@code tidegate.plugin_attr.opentelemetry}. */
    public record Attr(String traceIdSource, Map<String, Object> resource, Collector collector,
                       Batch batchSpanProcessor, boolean setNgxVar) {}

    public record Collector(String address, int requestTimeout, Map<String, Object> requestHeaders) {}

    public record Batch(boolean dropOnQueueFull, int maxQueueSize, double batchTimeout, double inactiveTimeout,
                        int maxExportBatchSize) {}

    static final io.tidegate.plugin.api.AttributeKey<RecordedSpan> SPAN = io.tidegate.plugin.api.AttributeKey.of("otel-span", RecordedSpan.class);

    private static final TextMapGetter<PluginContext.Request> FROM_CLIENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(PluginContext.Request request) {
            return request.headerNames();
        }

        @Override
        public String get(PluginContext.Request request, String key) {
            return request == null ? null : request.header(key);
        }
    };

    // keys made once: a key named by a String is a new AttributeKey on every call
    private static final AttributeKey<String> NET_HOST_NAME = AttributeKey.stringKey("net.host.name");
    private static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.method");
    private static final AttributeKey<String> HTTP_SCHEME = AttributeKey.stringKey("http.scheme");
    private static final AttributeKey<String> HTTP_TARGET = AttributeKey.stringKey("http.target");
    private static final AttributeKey<String> HTTP_USER_AGENT = AttributeKey.stringKey("http.user_agent");
    private static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<String> USER_AGENT_ORIGINAL = AttributeKey.stringKey("user_agent.original");
    private static final AttributeKey<String> ROUTE_ID = AttributeKey.stringKey("apisix.route_id");
    private static final AttributeKey<String> ROUTE_NAME = AttributeKey.stringKey("apisix.route_name");
    private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<String> SERVICE_ID = AttributeKey.stringKey("apisix.service_id");
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("apisix.service_name");
    private static final AttributeKey<String> RESPONSE_SOURCE = AttributeKey.stringKey("apisix.response_source");
    private static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.status_code");
    private static final AttributeKey<Long> RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<String> NODE_ADDRESS = AttributeKey.stringKey("apisix.upstream_node");
    private static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    @Override
    public String name() {
        return "opentelemetry";
    }

    @Override
    public int priority() {
        return 12009;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/opentelemetry.json");
    }

    @Override
    public ConfigSchema<?> attributeSchema() {
        return ConfigSchema.resource(Attr.class, "/schema/opentelemetry-attr.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) {
        Attr attributes = services.attributes(Attr.class);
        var drops = services.droppedEntries();
        PluginLog log = services.log();
        TracerHolder holder = services.shared(attributes, () -> new TracerHolder(attributes, drops, log));
        return new Instance(holder, sampler(config.sampler()), "x-request-id".equals(attributes.traceIdSource()),
                config.additionalAttributes() == null ? List.of() : config.additionalAttributes(),
                config.additionalHeaderPrefixAttributes() == null ? List.of() : config.additionalHeaderPrefixAttributes());
    }

    static Sampler sampler(SamplerSettings settings) {
        if (settings == null || settings.name() == null) {
            return Sampler.alwaysOff();
        }
        SamplerOptions options = settings.options();
        return switch (settings.name()) {
            case "always_on" -> Sampler.alwaysOn();
            case "trace_id_ratio" -> ratio(options == null ? null : options.fraction());
            case "parent_base" -> {
                RootSampler root = options == null ? null : options.root();
                Sampler rootSampler = root == null || root.name() == null ? Sampler.alwaysOff() : switch (root.name()) {
                    case "always_on" -> Sampler.alwaysOn();
                    case "trace_id_ratio" -> ratio(root.options() == null ? null : root.options().fraction());
                    default -> Sampler.alwaysOff();
                };
                yield Sampler.parentBased(rootSampler);
            }
            default -> Sampler.alwaysOff();
        };
    }

    private static Sampler ratio(Double fraction) {
        double f = fraction == null ? 0 : fraction;
        return Sampler.traceIdRatioBased(Math.max(0, Math.min(1, f)));
    }

    /** A 32-hex, non-zero trace id from X-Request-Id (lower-cased), or null: APISIX's trace_id_source. */
    static String traceIdFromRequestId(String requestId) {
        if (requestId == null || requestId.length() != 32) {
            return null;
        }
        String id = requestId.toLowerCase(Locale.ROOT);
        boolean nonZero = false;
        for (int i = 0; i < 32; i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return null;
            }
            nonZero |= c != '0';
        }
        return nonZero ? id : null;
    }

    private static final class Instance implements PluginInstance {
        private final TracerHolder holder;
        private final Sampler sampler;
        private final boolean traceIdFromRequestId;
        private final List<String> additionalAttributes;
        private final List<AttributeKey<String>> additionalKeys;
        private final List<String> headerAttributes;

        Instance(TracerHolder holder, Sampler sampler, boolean traceIdFromRequestId, List<String> additionalAttributes,
                 List<String> headerAttributes) {
            this.holder = holder;
            this.sampler = sampler;
            this.traceIdFromRequestId = traceIdFromRequestId;
            this.additionalAttributes = additionalAttributes;
            this.additionalKeys = additionalAttributes.stream().map(AttributeKey::stringKey).toList();
            this.headerAttributes = headerAttributes;
        }

        @Override
        public PhaseResult rewrite(PluginContext context) {
            PluginContext.Request request = context.request();
            Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), request, FROM_CLIENT);
            String method = request.method();
            // as APISIX: "<method> <the matched route's uri pattern>", a name that groups a route's requests
            String route = context.var("matched_uri");
            RecordedSpan span = holder.recorder.start(parent, sampler,
                    traceIdFromRequestId ? traceIdFromRequestId(request.header("X-Request-Id")) : null,
                    route == null ? method : method + " " + route, SpanKind.SERVER);
            // APISIX hands these to the span at its start; no sampler here reads them, so they are set
            // after it and only on a span that records
            if (span.isRecording()) {
                put(span, NET_HOST_NAME, context.var("host"));
                String scheme = context.var("scheme");
                String userAgent = request.header("User-Agent");
                put(span, HTTP_METHOD, method);
                put(span, HTTP_SCHEME, scheme);
                put(span, HTTP_TARGET, context.var("request_uri"));
                put(span, HTTP_USER_AGENT, userAgent);
                put(span, HTTP_REQUEST_METHOD, method);
                put(span, URL_SCHEME, scheme);
                put(span, URL_PATH, context.var("uri"));
                put(span, USER_AGENT_ORIGINAL, userAgent);
                put(span, ROUTE_ID, context.routeId());
                put(span, ROUTE_NAME, context.var("route_name"));
                put(span, HTTP_ROUTE, route);
                if (context.serviceId() != null) {
                    put(span, SERVICE_ID, context.serviceId());
                    put(span, SERVICE_NAME, context.var("service_name"));
                }
            }
            context.setAttribute(SPAN, span);
            // the request carries this span from here on (a mirror's or forward-auth's copy of its
            // headers continues the trace); each try of a sampled request then names its own span
            sendContext(span.getSpanContext(), context.upstreamRequest()::setHeader);
            if (span.isRecording()) {
                context.watchUpstreamTries(new TrySpans(holder.recorder, span));
            }
            return PhaseResult.proceed();
        }

        private static void put(RecordedSpan span, AttributeKey<String> key, String value) {
            if (value != null) {
                span.setAttribute(key, value);
            }
        }

        @Override
        public void log(PluginContext context) {
            RecordedSpan span = context.attribute(SPAN);
            if (span == null) {
                return;
            }
            if (span.isRecording()) {
                int status = context.response().status();
                // APISIX's "upstream" when the upstream answered, "apisix" when the gateway did
                String source = context.var("upstream_status") != null ? "upstream" : "apisix";
                span.setAttribute(RESPONSE_SOURCE, source);
                if (status >= 500) {
                    span.setStatus(StatusCode.ERROR, source + " error: " + status);
                }
                span.setAttribute(STATUS_CODE, (long) status);
                span.setAttribute(RESPONSE_STATUS_CODE, (long) status);
                for (int i = 0; i < additionalAttributes.size(); i++) {
                    String value = context.var(additionalAttributes.get(i));
                    if (value != null) {
                        span.setAttribute(additionalKeys.get(i), value);
                    }
                }
                if (!headerAttributes.isEmpty()) {
                    addHeaders(span, context.request());
                }
            }
            span.end();
        }

        /** additional_header_prefix_attributes: "x-a" takes that header, "x-b-*" every header starting "x-b-". */
        private void addHeaders(RecordedSpan span, PluginContext.Request request) {
            request.forEachHeader((name, values) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                for (String wanted : headerAttributes) {
                    String key = wanted.toLowerCase(Locale.ROOT);
                    boolean match = key.length() >= 2 && key.endsWith("*")
                            ? lower.startsWith(key.substring(0, key.length() - 1))
                            : lower.equals(key);
                    if (match) {
                        span.setAttribute(AttributeKey.stringKey(lower), String.join(", ", values));
                        return;
                    }
                }
            });
        }
    }

    /**
     * A CLIENT span for each try of one sampled request, a child of its SERVER span, named by the
     * method as OpenTelemetry's HTTP client spans are: the node it went to, the status it answered,
     * or why it failed ({@code error.type}); a retry says which resend it is.
     */
    private static final class TrySpans implements UpstreamTryWatcher {
        private final SpanRecorder recorder;
        private final RecordedSpan server;
        private RecordedSpan current;

        TrySpans(SpanRecorder recorder, RecordedSpan server) {
            this.recorder = recorder;
            this.server = server;
        }

        @Override
        public void started(UpstreamTry attempt) {
            RecordedSpan span = recorder.startChild(server, attempt.method(), SpanKind.CLIENT);
            if (span.isRecording()) {
                span.setAttribute(HTTP_REQUEST_METHOD, attempt.method());
                span.setAttribute(SERVER_ADDRESS, attempt.nodeIp());
                span.setAttribute(SERVER_PORT, (long) attempt.nodePort());
                span.setAttribute(NODE_ADDRESS, attempt.nodeAddress());
                span.setAttribute(URL_SCHEME, attempt.scheme());
                if (attempt.number() > 1) {
                    span.setAttribute(RESEND_COUNT, (long) attempt.number() - 1);
                }
            }
            current = span;
            sendContext(span.getSpanContext(), attempt::setHeader);
        }

        @Override
        public void ended(UpstreamTry attempt) {
            RecordedSpan span = current;
            if (span == null) {
                return;
            }
            current = null;
            int status = attempt.status();
            if (status > 0) {
                span.setAttribute(RESPONSE_STATUS_CODE, (long) status);
            }
            if (attempt.failure() != null) {
                span.setAttribute(ERROR_TYPE, attempt.failure());
                span.setStatus(StatusCode.ERROR, attempt.failure());
            } else if (status >= 500) {
                span.setAttribute(ERROR_TYPE, Integer.toString(status));
                span.setStatus(StatusCode.ERROR, "");
            }
            span.end();
        }
    }

    /**
     * Sets {@code traceparent} (and {@code tracestate} when there is one) naming {@code sent}, as
     * W3CTraceContextPropagator writes them, without building a context to carry the span to it:
     * the request's span in rewrite, then each try's.
     */
    private static void sendContext(SpanContext sent, java.util.function.BiConsumer<String, String> setHeader) {
        setHeader.accept("traceparent", "00-" + sent.getTraceId() + "-" + sent.getSpanId() + "-" + sent.getTraceFlags().asHex());
        if (!sent.getTraceState().isEmpty()) {
            setHeader.accept("tracestate", traceState(sent.getTraceState()));
        }
    }

    /** A tracestate header's value: W3C's {@code key=value} list, in the state's order. */
    static String traceState(TraceState state) {
        StringBuilder text = new StringBuilder();
        state.forEach((key, value) -> {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(key).append('=').append(value);
        });
        return text.toString();
    }
}
