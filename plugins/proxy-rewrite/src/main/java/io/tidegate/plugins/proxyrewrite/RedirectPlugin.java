package io.tidegate.plugins.proxyrewrite;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.Template;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import org.pf4j.Extension;

/**
 * APISIX's {@code redirect} (priority 900, rewrite phase): answers {@code ret_code} (302) with a
 * {@code Location} made from {@code uri} ($variables), or from {@code regex_uri} applied to the
 * path (no match: no redirect), or, with {@code http_to_https}, {@code https://$host$request_uri}
 * for a request that did not come over https (by its scheme, or the X-Forwarded-Proto it carries):
 * 301 for GET and HEAD, 308 otherwise. {@code encode_uri} and {@code append_query_string} as
 * APISIX. Values never bring CR or LF into the header (the gateway's template rule).
 */
@Extension
public final class RedirectPlugin implements GatewayPlugin<RedirectPlugin.Settings> {
    public record Settings(int retCode, String uri, List<String> regexUri, Boolean httpToHttps, boolean encodeUri,
                           boolean appendQueryString) {}

    @Override
    public String name() {
        return "redirect";
    }

    @Override
    public int priority() {
        return 900;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/redirect.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        boolean toHttps = Boolean.TRUE.equals(config.httpToHttps());
        if (toHttps && config.appendQueryString()) {
            throw new PluginConfigException("append_query_string", "only one of `http_to_https` and `append_query_string` can be configured.");
        }
        Template uri = config.uri() == null ? null : services.template("uri", config.uri());
        List<ProxyRewriteInstance.RegexRule> regex = ProxyRewritePlugin.regexUri(config.regexUri(), services);
        Template https = toHttps ? services.template("http_to_https", "https://$host$request_uri") : null;
        return new PluginInstance() {
            @Override
            public PhaseResult rewrite(PluginContext context) {
                int status = config.retCode();
                String location = null;
                if (https != null && !isHttps(context)) {
                    location = https.render(context);
                    String method = context.request().method();
                    status = method.equals("GET") || method.equals("HEAD") ? 301 : 308;
                } else if (uri != null) {
                    location = uri.render(context);
                } else if (!regex.isEmpty()) {
                    String path = context.var("uri");
                    Matcher m = regex.get(0).pattern().matcher(path);
                    if (m.find()) {
                        Function<String, String> values = ProxyRewriteInstance.values(context, m);
                        location = path.substring(0, m.start()) + regex.get(0).replacement().render(values) + path.substring(m.end());
                    }
                }
                if (location == null) {
                    return PhaseResult.proceed();
                }
                int q = location.indexOf('?');
                if (config.encodeUri()) {
                    location = q < 0 ? UriEncoding.safe(location) : UriEncoding.safe(location.substring(0, q)) + location.substring(q);
                }
                String query = context.request().query();
                if (config.appendQueryString() && !query.isEmpty()) {
                    location = location + (q < 0 ? "?" : "&") + query;
                }
                return PhaseResult.respond(status, Map.of("Location", location), new byte[0]);
            }
        };
    }

    private static boolean isHttps(PluginContext context) {
        String forwarded = context.request().header("X-Forwarded-Proto");
        return "https".equals(forwarded != null ? forwarded : context.var("scheme"));
    }
}
