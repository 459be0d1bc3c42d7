package io.tidegate.plugins.requestid;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.UUID;
import org.pf4j.Extension;

/**
 * APISIX's {@code request-id} (priority 12015, so it runs before every other plugin): the request
 * keeps the id its client sent in {@code header_name} (default X-Request-Id) or gets a new UUID;
 * the upstream receives it, and with {@code include_in_response} (default true) so does the client.
 * The id is kept for the request under {@link #REQUEST_ID}. APISIX's schema, except that
 * {@code header_name} must be a header name (an HTTP token), {@code algorithm} must be
 * {@code uuid} (the only one implemented) and {@code range_id} is not supported.
 */
@Extension
public final class RequestIdPlugin implements GatewayPlugin<RequestIdPlugin.Settings> {
    /** The request's id, from its rewrite phase on. */
    public static final AttributeKey<String> REQUEST_ID = AttributeKey.of("request_id", String.class);

    /** The configuration, as the schema describes it (defaults filled in). */
    public record Settings(String headerName, boolean includeInResponse, String algorithm) {}

    @Override
    public String name() {
        return "request-id";
    }

    @Override
    public int priority() {
        return 12015;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/request-id.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        String header = config.headerName();
        boolean inResponse = config.includeInResponse();
        return new PluginInstance() {
            @Override
            public PhaseResult rewrite(PluginContext context) {
                String id = context.request().header(header);
                if (id == null || id.isEmpty()) {
                    id = UUID.randomUUID().toString();
                    context.upstreamRequest().setHeader(header, id);
                }
                context.setAttribute(REQUEST_ID, id);
                return PhaseResult.proceed();
            }

            @Override
            public void headerFilter(PluginContext context) {
                String id = context.attribute(REQUEST_ID);
                if (inResponse && id != null) {
                    context.response().setHeader(header, id);
                }
            }
        };
    }
}
