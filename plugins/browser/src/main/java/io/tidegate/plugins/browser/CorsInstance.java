package io.tidegate.plugins.browser;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.util.Map;

/** One cors configuration: the preflight answer in rewrite, the headers in header_filter. */
final class CorsInstance implements PluginInstance {
    private static final String EVERY_METHOD = "GET,POST,PUT,DELETE,PATCH,HEAD,OPTIONS,CONNECT,TRACE";
    private static final PhaseResult PREFLIGHT = PhaseResult.respond(200, Map.of(), new byte[0]);

    /** The client's Origin as it arrived, before a later plugin (proxy-rewrite) could change it. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String NO_ORIGIN = new String("");  // compared by identity: a client may send "Origin:" empty
    private final AttributeKey<String> clientOrigin = AttributeKey.of("cors.origin", String.class);
    private final AllowedOrigins allowed;
    private final AllowedOrigins timing;
    private final boolean varyOnOrigin;
    private final String methods;
    private final String headers;
    private final boolean echoRequestedHeaders;
    private final String exposeHeaders;
    private final String maxAge;
    private final boolean credentials;

    CorsInstance(CorsPlugin.Settings config, AllowedOrigins allowed, AllowedOrigins timing) {
        this.allowed = allowed;
        this.timing = timing;
        this.varyOnOrigin = !"*".equals(config.allowOrigins());
        this.methods = "**".equals(config.allowMethods()) ? EVERY_METHOD : config.allowMethods();
        this.echoRequestedHeaders = "**".equals(config.allowHeaders());
        this.headers = config.allowHeaders();
        this.exposeHeaders = config.exposeHeaders() == null || config.exposeHeaders().isEmpty() ? null : config.exposeHeaders();
        this.maxAge = Integer.toString(config.maxAge());
        this.credentials = config.allowCredential();
    }

    @Override
    public PhaseResult rewrite(PluginContext context) {
        String origin = context.request().header("Origin");
        context.setAttribute(clientOrigin, origin == null ? NO_ORIGIN : origin);
        return "OPTIONS".equals(context.request().method()) ? PREFLIGHT : PhaseResult.proceed();
    }

    @Override
    public void headerFilter(PluginContext context) {
        String kept = context.attribute(clientOrigin);
        // kept is null only when an earlier plugin answered before this one's rewrite ran
        String origin = kept == null ? context.request().header("Origin") : kept == NO_ORIGIN ? null : kept;
        PluginContext.Response response = context.response();
        if (varyOnOrigin) {
            response.addHeader("Vary", "Origin");
        }
        String allowedOrigin = allowed.valueFor(origin);
        if (AllowedOrigins.grants(allowedOrigin, origin)) {
            response.setHeader("Access-Control-Allow-Origin", allowedOrigin);
            response.setHeader("Access-Control-Allow-Methods", methods);
            response.setHeader("Access-Control-Max-Age", maxAge);
            if (exposeHeaders != null) {
                response.setHeader("Access-Control-Expose-Headers", exposeHeaders);
            }
            String allowHeaders = echoRequestedHeaders ? context.request().header("Access-Control-Request-Headers") : headers;
            if (allowHeaders == null) {
                response.removeHeader("Access-Control-Allow-Headers");
            } else {
                response.setHeader("Access-Control-Allow-Headers", allowHeaders);
            }
            if (credentials) {
                response.setHeader("Access-Control-Allow-Credentials", "true");
            }
        }
        String timingOrigin = timing == null ? null : timing.valueFor(origin);
        if (AllowedOrigins.grants(timingOrigin, origin)) {
            response.setHeader("Timing-Allow-Origin", timingOrigin);
        }
    }
}
