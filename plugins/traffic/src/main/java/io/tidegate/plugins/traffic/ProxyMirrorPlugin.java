package io.tidegate.plugins.traffic;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.pf4j.Extension;

/**
 * APISIX's {@code proxy-mirror} (priority 1010): a {@code sample_ratio} of the route's requests is
 * also sent to {@code host}, with the method, headers (the Host the upstream gets included) and
 * body the upstream gets, on {@code path} ({@code replace}: instead of the path, keeping the query;
 * {@code prefix}: before it) or the upstream's path. The mirror's answer is thrown away. The client
 * never waits for the mirror: its copy of the body is fed as the body streams upstream, and is given
 * up (the mirror request aborted) when the mirror falls more than {@link #MAX_QUEUED_BODY} bytes
 * behind (or all mirrors together {@link MirrorSender#MAX_QUEUED_TOTAL}), when
 * {@link MirrorSender#MAX_IN_FLIGHT} mirror requests are in flight, or when the mirror
 * fails; each such loss counts in {@code tidegate_plugin_entries_dropped_total{plugin="proxy-mirror"}}.
 */
@Extension
public final class ProxyMirrorPlugin implements GatewayPlugin<ProxyMirrorPlugin.Settings> {
    static final int MAX_QUEUED_BODY = 8 << 20;
    private static final Duration MIRROR_TIMEOUT = Duration.ofSeconds(60);
    /** Not the client's to pass on: the mirror's connection has its own, and the client library sets them. */
    private static final Set<String> NOT_COPIED = Set.of("connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "proxy-connection", "te", "trailer", "http2-settings", "host");
    private static final Set<String> BODILESS = Set.of("GET", "HEAD", "DELETE", "OPTIONS", "TRACE");
    private static final AttributeKey<String> MIRROR_PATH = AttributeKey.of("proxy-mirror.path", String.class);

    public record Settings(String host, String path, String pathConcatMode, double sampleRatio) {}

    @Override
    public String name() {
        return "proxy-mirror";
    }

    @Override
    public int priority() {
        return 1010;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/proxy-mirror.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        if (config.host().toLowerCase(Locale.ROOT).startsWith("grpc")) {
            throw new PluginConfigException("host", "gRPC mirrors are not supported yet (http:// or https://)");
        }
        MirrorSender sender = services.shared("sender", () -> new MirrorSender(services.httpClient(false), services.droppedEntries()));
        return new ProxyMirrorInstance(config, sender);
    }

    static final class ProxyMirrorInstance implements PluginInstance {
        private final Settings config;
        private final boolean prefix;
        private final MirrorSender sender;

        ProxyMirrorInstance(Settings config, MirrorSender sender) {
            this.config = config;
            this.prefix = "prefix".equals(config.pathConcatMode());
            this.sender = sender;
        }

        /** Decides as APISIX does, in rewrite: sampled or not, and the path from the upstream's path as it is now. */
        @Override
        public PhaseResult rewrite(PluginContext context) {
            if (config.sampleRatio() < 1 && ThreadLocalRandom.current().nextDouble() >= config.sampleRatio()) {
                return PhaseResult.proceed();
            }
            String query = context.upstreamRequest().query();
            String args = query == null || query.isEmpty() ? "" : "?" + query;
            String upstream = context.upstreamRequest().path() + args;
            String path = config.path() == null ? upstream : prefix ? config.path() + upstream : config.path() + args;
            context.setAttribute(MIRROR_PATH, path);
            return PhaseResult.proceed();
        }

        /** Sends the copy once every other plugin has shaped the request, as the upstream will get it. */
        @Override
        public PhaseResult beforeProxy(PluginContext context) {
            String path = context.attribute(MIRROR_PATH);
            if (path == null || !sender.reserve()) {
                return PhaseResult.proceed();
            }
            HttpRequest request;
            MirrorBody copy;
            try {
                copy = copyOfBody(context);
                request = request(context, path, copy);
            } catch (IllegalArgumentException e) {  // NumberFormatException included
                sender.unreserve();
                return PhaseResult.proceed();
            }
            if (copy != null) {
                context.tapRequestBody(copy);
            }
            sender.send(request, copy);
            return PhaseResult.proceed();
        }

        /**
         * The body's copy to feed the mirror, or null when the request has none: no Content-Length
         * and, in HTTP/1.1, no Transfer-Encoding (an HTTP/2 request may carry a body without either).
         */
        private MirrorBody copyOfBody(PluginContext context) {
            String length = context.request().header("Content-Length");
            boolean framed = context.request().header("Transfer-Encoding") != null
                    || "HTTP/2.0".equals(context.var("server_protocol")) && !BODILESS.contains(context.request().method());
            long declared = length == null ? -1 : Long.parseLong(length.trim());
            return declared == 0 || declared < 0 && !framed ? null : new MirrorBody(MAX_QUEUED_BODY, sender);
        }

        private HttpRequest request(PluginContext context, String path, MirrorBody copy) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(config.host() + path)).timeout(MIRROR_TIMEOUT);
            context.request().forEachHeader((name, values) -> {
                if (!NOT_COPIED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> builder.header(name, value));
                }
            });
            String host = context.upstreamRequest().header("Host");
            if (host != null) {
                try {
                    builder.header("Host", host);
                } catch (IllegalArgumentException e) {
                    // the JVM forbids it (jdk.httpclient.allowRestrictedHeaders unset): the mirror gets its own name
                }
            }
            String method = context.upstreamRequest().method();
            HttpRequest.BodyPublisher body = body(context, copy);
            // GET() sends no Content-Length: 0 for an empty body, as the client did not
            return ("GET".equals(method) && body.contentLength() == 0 ? builder.GET() : builder.method(method, body)).build();
        }

        private static HttpRequest.BodyPublisher body(PluginContext context, MirrorBody copy) {
            if (copy == null) {
                return HttpRequest.BodyPublishers.noBody();
            }
            String length = context.request().header("Content-Length");
            return length != null ? HttpRequest.BodyPublishers.fromPublisher(copy, Long.parseLong(length.trim()))
                    : HttpRequest.BodyPublishers.fromPublisher(copy);
        }
    }
}
