package io.tidegate.plugins.forwardauth;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.Template;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code forward-auth} (priority 2002, access phase): asks an external service about each
 * request and lets it through only on a 2xx; the service's other answers go to the client as they
 * are. When the service cannot be reached the request fails closed with {@code status_on_error}
 * (403) unless {@code allow_degradation} says otherwise.
 */
@Extension
public final class ForwardAuthPlugin implements GatewayPlugin<ForwardAuthPlugin.Settings> {
    public record Settings(String uri, boolean allowDegradation, int statusOnError, boolean sslVerify, String requestMethod,
                           int maxReqBodySize, List<String> requestHeaders, Map<String, String> extraHeaders,
                           List<String> upstreamHeaders, List<String> clientHeaders, int timeout, boolean keepalive,
                           int keepaliveTimeout, int keepalivePool) {}

    @Override
    public String name() {
        return "forward-auth";
    }

    @Override
    public int priority() {
        return 2002;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/forward-auth.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        URI uri;
        try {
            uri = URI.create(config.uri());
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException("uri", "not a URI: " + e.getMessage());
        }
        if (uri.getHost() == null) {
            throw new PluginConfigException("uri", "must name a host: " + config.uri());
        }
        Map<String, Template> extra = new LinkedHashMap<>();
        if (config.extraHeaders() != null) {
            for (Map.Entry<String, String> header : config.extraHeaders().entrySet()) {
                if (!header.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    throw new PluginConfigException("extra_headers." + header.getKey(), "is not a header name");
                }
                extra.put(header.getKey(), services.template("extra_headers." + header.getKey(), header.getValue()));
            }
        }
        return new ForwardAuthInstance(config, uri, Map.copyOf(extra), services.httpClient(config.sslVerify()), services.log());
    }
}
