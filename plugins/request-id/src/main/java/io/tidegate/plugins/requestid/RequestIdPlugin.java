package io.tidegate.plugins.requestid;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigFields;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.Set;
import java.util.UUID;
import org.pf4j.Extension;

/**
 * APISIX's {@code request-id} (priority 12015, so it runs before every other plugin): the request
 * keeps the id its client sent in {@code header_name} (default X-Request-Id) or gets a new UUID;
 * the upstream receives it, and with {@code include_in_response} (default true) so does the client.
 * Later plugins find it in the request attributes under {@value #ATTRIBUTE}.
 */
@Extension
public final class RequestIdPlugin implements GatewayPlugin {
    /** Where other plugins (loggers) find the id. */
    public static final String ATTRIBUTE = "request_id";
    private static final Set<String> FIELDS = Set.of("header_name", "include_in_response", "algorithm");

    @Override
    public String name() {
        return "request-id";
    }

    @Override
    public int priority() {
        return 12015;
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        ConfigFields.requireOnly(config, FIELDS);
        JsonNode headerNode = config.get("header_name");
        if (headerNode != null && (!headerNode.isTextual() || !headerNode.textValue().matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+"))) {
            throw new PluginConfigException("header_name", "must be a header name");
        }
        String algorithm = config.path("algorithm").asText("uuid");
        if (!algorithm.equals("uuid")) {
            throw new PluginConfigException("algorithm", "only uuid is supported");
        }
        String header = headerNode == null ? "X-Request-Id" : headerNode.textValue();
        boolean inResponse = config.path("include_in_response").asBoolean(true);
        return new PluginInstance() {
            @Override
            public PhaseResult rewrite(PluginContext context) {
                String id = context.request().header(header);
                if (id == null || id.isEmpty()) {
                    id = UUID.randomUUID().toString();
                    context.upstreamRequest().setHeader(header, id);
                }
                context.attributes().put(ATTRIBUTE, id);
                return PhaseResult.proceed();
            }

            @Override
            public void headerFilter(PluginContext context) {
                if (inResponse && context.attributes().get(ATTRIBUTE) instanceof String id) {
                    context.response().setHeader(header, id);
                }
            }
        };
    }
}
