package io.tidegate.plugins.tracing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.pf4j.Extension;

/**
 * APISIX's {@code zipkin}: B3 propagation (single {@code b3} header and {@code X-B3-*}) in from the
 * client and out to the upstream, and the request's spans reported as Zipkin v2 JSON to
 * {@code endpoint}. span_version 2: apisix.request (SERVER), apisix.proxy (until the response
 * head), apisix.response_span (until the log phase); span_version 1: apisix.request,
 * apisix.rewrite, apisix.access, apisix.proxy and its child apisix.body_filter.
 */
@Extension
public final class ZipkinPlugin implements GatewayPlugin<ZipkinPlugin.Settings> {
    public record Settings(String endpoint, double sampleRatio, String serviceName, String serverAddr, int spanVersion) {}

    static final AttributeKey<Trace> TRACE = AttributeKey.of("zipkin-trace", Trace.class);
    /** Batching as APISIX's zipkin reporter; tests may shorten them with system properties. */
    static final Duration INACTIVE = Duration.ofMillis(Long.getLong("tidegate.zipkin.inactive_ms", 5000));
    static final Duration BUFFER = Duration.ofSeconds(60);

    @Override
    public String name() {
        return "zipkin";
    }

    @Override
    public int priority() {
        return 12011;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/zipkin.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        URI endpoint;
        try {
            endpoint = URI.create(config.endpoint());
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException("endpoint", "must be a URL: " + e.getMessage());
        }
        if (endpoint.getScheme() == null || !endpoint.getScheme().matches("(?i)https?") || endpoint.getHost() == null) {
            throw new PluginConfigException("endpoint", "must be an http or https URL");
        }
        var drops = services.droppedEntries();
        var client = services.httpClient(true);
        PluginLog log = services.log();
        ZipkinReporter reporter = services.shared(endpoint, () -> new ZipkinReporter(endpoint, client, drops, log, INACTIVE, BUFFER));
        return new Instance(config, reporter, log);
    }

    /** One request's spans. Times in epoch microseconds. */
    static final class Trace {
        String traceId;
        boolean sampled;
        Span request;
        Span rewrite;
        Span access;
        Span proxy;
        Span bodyFilter;
        Span response;
    }

    static final class Span {
        final String name;
        final String id;
        final String parentId;
        final long start;
        long end;

        Span(String name, String id, String parentId, long start) {
            this.name = name;
            this.id = id;
            this.parentId = parentId;
            this.start = start;
        }
    }

    private static final class Instance implements PluginInstance {
        private final Settings config;
        private final ZipkinReporter reporter;
        private final PluginLog log;

        Instance(Settings config, ZipkinReporter reporter, PluginLog log) {
            this.config = config;
            this.reporter = reporter;
            this.log = log;
        }

        @Override
        public PhaseResult rewrite(PluginContext context) {
            PluginContext.Request headers = context.request();
            Double perRequestRatio = null;
            if ("1".equals(headers.header("X-B3-Flags"))) {
                perRequestRatio = 1.0;
            }
            String traceId;
            String spanId;
            String parentId;
            String sampled;
            String b3 = headers.header("b3");
            if (b3 != null) {
                // not passed on as such: the upstream gets the X-B3-* headers
                context.upstreamRequest().removeHeader("b3");
                if (b3.equals("0")) {
                    traceId = null;
                    spanId = null;
                    parentId = null;
                    sampled = "0";
                } else {
                    String[] pieces = b3.split("-", 4);
                    if (pieces.length < 2 || pieces[0].isEmpty() || pieces[1].isEmpty()) {
                        log.error("invalid b3 header: {}, ignored: {}", b3, pieces[0].isEmpty() ? "missing trace_id" : "missing span_id");
                        return PhaseResult.respond(400, java.util.Map.of(), new byte[0]);
                    }
                    traceId = pieces[0];
                    spanId = pieces[1];
                    sampled = pieces.length > 2 ? pieces[2] : null;
                    parentId = pieces.length > 3 ? pieces[3] : null;
                    if ("d".equals(sampled)) {
                        context.upstreamRequest().setHeader("X-B3-Flags", "1");
                        sampled = "1";
                    }
                }
            } else {
                sampled = headers.header("X-B3-Sampled");
                traceId = headers.header("X-B3-TraceId");
                parentId = headers.header("X-B3-ParentSpanId");
                spanId = headers.header("X-B3-SpanId");
            }
            boolean invalid = false;
            if (traceId != null && ((traceId.length() != 16 && traceId.length() != 32) || !hex(traceId))) {
                log.warn("x-b3-traceid header invalid; ignoring.");
                invalid = true;
            }
            if (parentId != null && (parentId.length() != 16 || !hex(parentId))) {
                log.warn("x-b3-parentspanid header invalid; ignoring.");
                invalid = true;
            }
            if (spanId != null && (spanId.length() != 16 || !hex(spanId))) {
                log.warn("x-b3-spanid header invalid; ignoring.");
                invalid = true;
            }
            boolean continued = traceId != null && !invalid;

            if ("1".equals(sampled) || "true".equals(sampled)) {
                perRequestRatio = 1.0;
            } else if ("0".equals(sampled) || "false".equals(sampled)) {
                perRequestRatio = 0.0;
            }
            double ratio = perRequestRatio != null ? perRequestRatio : config.sampleRatio();
            Trace trace = new Trace();
            trace.sampled = ThreadLocalRandom.current().nextDouble() < ratio;
            trace.traceId = continued ? traceId.toLowerCase() : newId(16);
            long start = nowMicros();
            trace.request = new Span("apisix.request", newId(8), continued ? lower(spanId) : null, start);
            if (trace.sampled) {
                if (config.spanVersion() == 1) {
                    trace.rewrite = child(trace.request, "apisix.rewrite", start);
                    trace.rewrite.end = nowMicros();
                    report(context, trace, trace.rewrite, false);
                } else {
                    trace.proxy = child(trace.request, "apisix.proxy", start);
                }
            }
            context.setAttribute(TRACE, trace);
            return PhaseResult.proceed();
        }

        @Override
        public PhaseResult access(PluginContext context) {
            Trace trace = context.attribute(TRACE);
            if (trace == null) {
                return PhaseResult.proceed();
            }
            if (trace.sampled && config.spanVersion() == 1) {
                long rewriteEnd = trace.rewrite.end;
                trace.access = child(trace.request, "apisix.access", rewriteEnd);
                trace.access.end = nowMicros();
                report(context, trace, trace.access, false);
                trace.proxy = child(trace.request, "apisix.proxy", trace.access.end);
            }
            // the upstream continues the trace from the proxy span (the request span when unsampled)
            Span injected = trace.sampled && trace.proxy != null ? trace.proxy : trace.request;
            PluginContext.UpstreamRequest upstream = context.upstreamRequest();
            upstream.setHeader("X-B3-TraceId", trace.traceId);
            if (injected.parentId != null) {
                upstream.setHeader("X-B3-ParentSpanId", injected.parentId);
            } else {
                upstream.removeHeader("X-B3-ParentSpanId");
            }
            upstream.setHeader("X-B3-SpanId", injected.id);
            upstream.setHeader("X-B3-Sampled", trace.sampled ? "1" : "0");
            return PhaseResult.proceed();
        }

        @Override
        public void headerFilter(PluginContext context) {
            Trace trace = context.attribute(TRACE);
            if (trace == null || !trace.sampled) {
                return;
            }
            long now = nowMicros();
            if (config.spanVersion() == 1) {
                if (trace.proxy != null) {
                    trace.bodyFilter = child(trace.proxy, "apisix.body_filter", now);
                }
            } else {
                trace.proxy.end = now;
                report(context, trace, trace.proxy, false);
                trace.response = child(trace.request, "apisix.response_span", now);
            }
        }

        @Override
        public void log(PluginContext context) {
            Trace trace = context.attribute(TRACE);
            if (trace == null || !trace.sampled) {
                return;
            }
            long end = nowMicros();
            if (config.spanVersion() == 1) {
                if (trace.bodyFilter != null) {
                    trace.bodyFilter.end = end;
                    report(context, trace, trace.bodyFilter, false);
                }
                if (trace.proxy != null) {
                    trace.proxy.end = end;
                    report(context, trace, trace.proxy, false);
                }
            } else if (trace.response != null) {
                trace.response.end = end;
                report(context, trace, trace.response, false);
            }
            trace.request.end = end;
            report(context, trace, trace.request, true);
        }

        /** A Zipkin v2 span as APISIX's reporter writes it. */
        private void report(PluginContext context, Trace trace, Span span, boolean server) {
            JsonNodeFactory f = JsonNodeFactory.instance;
            ObjectNode out = f.objectNode();
            out.put("traceId", trace.traceId);
            out.put("name", span.name);
            if (span.parentId != null) {
                out.put("parentId", span.parentId);
            }
            out.put("id", span.id);
            if (server) {
                out.put("kind", "SERVER");
            }
            out.put("timestamp", span.start);
            out.put("duration", Math.max(0, span.end - span.start));
            ObjectNode local = out.putObject("localEndpoint");
            local.put("serviceName", config.serviceName());
            String serverAddr = config.serverAddr() != null && !config.serverAddr().isEmpty() ? config.serverAddr() : context.var("server_addr");
            if (serverAddr != null) {
                local.put("ipv4", serverAddr);
            }
            String serverPort = context.var("server_port");
            if (serverPort != null) {
                local.put("port", Integer.parseInt(serverPort));
            }
            ObjectNode tags = out.putObject("tags");
            if (server) {
                ObjectNode remote = out.putObject("remoteEndpoint");
                remote.put("ipv4", context.var("remote_addr"));
                String port = context.var("remote_port");
                if (port != null) {
                    remote.put("port", Integer.parseInt(port));
                }
                tags.put("component", "apisix");
                tags.put("http.method", context.var("request_method"));
                tags.put("http.url", context.var("request_uri"));
                tags.put("http.status_code", Integer.toString(context.response().status()));
                tags.put("apisix.response_source", context.var("upstream_status") != null ? "upstream" : "apisix");
            } else {
                out.putNull("remoteEndpoint");
            }
            reporter.report(out);
        }
    }

    static Span child(Span parent, String name, long start) {
        return new Span(name, newId(8), parent.id, start);
    }

    static String newId(int bytes) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder id = new StringBuilder(bytes * 2);
        for (int i = 0; i < bytes; i += 8) {
            long v = random.nextLong();
            if (i == 0 && v == 0) {
                v = 1;
            }
            String hex = Long.toHexString(v);
            id.append("0".repeat(16 - hex.length())).append(hex);
        }
        return id.toString();
    }

    static boolean hex(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    private static String lower(String id) {
        return id == null ? null : id.toLowerCase();
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
