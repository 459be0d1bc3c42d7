package io.tidegate.plugins.forwardauth;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.Template;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One forward-auth configuration. The call is asynchronous (the request waits without a thread)
 * and its outcome is applied on the request's IO thread.
 */
final class ForwardAuthInstance implements PluginInstance {
    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> CLIENT_OWNED = Set.of("connection", "content-length", "expect", "host", "upgrade");
    private static final PhaseResult TOO_LARGE = PhaseResult.respond(413, Map.of(), new byte[0]);

    private final Settings settings;
    private final URI uri;
    private final Map<String, Template> extraHeaders;
    private final HttpClient client;
    private final PluginLog log;
    private final PhaseResult unreachable;
    private final PhaseResult refused;

    private record Settings(boolean post, int maxBody, List<String> requestHeaders, List<String> upstreamHeaders,
                            List<String> clientHeaders, Duration timeout, boolean allowDegradation) {}

    ForwardAuthInstance(ForwardAuthPlugin.Settings config, URI uri, Map<String, Template> extraHeaders, HttpClient client, PluginLog log) {
        this.settings = new Settings(config.requestMethod().equals("POST"), config.maxReqBodySize(), List.copyOf(config.requestHeaders()),
                List.copyOf(config.upstreamHeaders()), List.copyOf(config.clientHeaders()), Duration.ofMillis(config.timeout()),
                config.allowDegradation());
        this.uri = uri;
        this.extraHeaders = extraHeaders;
        this.client = client;
        this.log = log;
        this.refused = PhaseResult.respond(config.statusOnError(), Map.of(), new byte[0]);
        this.unreachable = config.allowDegradation() ? PhaseResult.proceed() : refused;
    }

    @Override
    public PhaseResult access(PluginContext context) {
        Map<String, String> headers = authHeaders(context);
        if (!settings.post()) {
            return PhaseResult.later(call(context, headers, HttpRequest.BodyPublishers.noBody()));
        }
        return PhaseResult.later(context.readBody(settings.maxBody()).thenCompose(body -> body == null
                ? CompletableFuture.completedFuture(TOO_LARGE)
                : call(context, headers, HttpRequest.BodyPublishers.ofByteArray(body))));
    }

    /** APISIX's: the request's facts as X-Forwarded-*, then extra_headers, then the client's request_headers not set yet. */
    private Map<String, String> authHeaders(PluginContext context) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        putIfPresent(headers, "X-Forwarded-Proto", context.var("scheme"));
        putIfPresent(headers, "X-Forwarded-Method", context.request().method());
        putIfPresent(headers, "X-Forwarded-Host", context.var("host"));
        putIfPresent(headers, "X-Forwarded-Uri", context.var("request_uri"));
        putIfPresent(headers, "X-Forwarded-For", context.var("remote_addr"));
        if (settings.post()) {
            putIfPresent(headers, "Content-Encoding", context.request().header("Content-Encoding"));
        }
        extraHeaders.forEach((name, value) -> headers.put(name, value.render(context)));
        for (String name : settings.requestHeaders()) {
            if (!headers.containsKey(name)) {
                putIfPresent(headers, name, context.request().header(name));
            }
        }
        return headers;
    }

    private static void putIfPresent(Map<String, String> headers, String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
    }

    private CompletionStage<PhaseResult> call(PluginContext context, Map<String, String> headers, HttpRequest.BodyPublisher body) {
        HttpRequest request;
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(settings.timeout())
                    .method(settings.post() ? "POST" : "GET", body);
            headers.forEach((name, value) -> {
                if (!CLIENT_OWNED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    builder.header(name, value);
                }
            });
            request = builder.build();
        } catch (IllegalArgumentException unsendable) {
            // a value the HTTP client cannot send (a control character the client put in a header):
            // the service was never asked, so the request is refused even with allow_degradation
            log.warn("failed to process forward auth: {}", unsendable.getMessage());
            return CompletableFuture.completedFuture(refused);
        }
        return client.sendAsync(request, BoundedBody.handler())
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .handleAsync((response, failure) -> decide(context, response, failure), context.requestThread());
    }

    private PhaseResult decide(PluginContext context, HttpResponse<byte[]> response, Throwable failure) {
        if (failure != null) {
            // only a service that could not be reached or did not answer in time is "unreachable"
            // (allow_degradation); anything else fails closed
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            log.warn("failed to process forward auth to {}: {}", uri, rootCause(failure));
            return cause instanceof java.io.IOException || cause instanceof java.util.concurrent.TimeoutException ? unreachable : refused;
        }
        if (response.statusCode() >= 300) {
            Map<String, List<String>> passed = new LinkedHashMap<>();
            for (String name : settings.clientHeaders()) {
                List<String> values = response.headers().allValues(name);
                if (!values.isEmpty()) {
                    passed.put(name, values);
                }
            }
            return PhaseResult.respondWithHeaders(response.statusCode(), passed, response.body());
        }
        for (String name : settings.upstreamHeaders()) {
            String value = response.headers().firstValue(name).orElse(null);
            if (value == null) {
                context.upstreamRequest().removeHeader(name);
            } else {
                context.upstreamRequest().setHeader(name, value);
            }
        }
        return PhaseResult.proceed();
    }

    private static String rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.toString();
    }
}
