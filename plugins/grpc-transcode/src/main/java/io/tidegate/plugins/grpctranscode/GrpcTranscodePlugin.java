package io.tidegate.plugins.grpctranscode;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.List;
import org.pf4j.Extension;

/**
 * APISIX's {@code grpc-transcode} (priority 506): an HTTP request with JSON, a form or query
 * arguments becomes a unary gRPC call of {@code service}/{@code method} described by the
 * configuration's proto {@code proto_id}; the answer comes back as JSON. See
 * {@link GrpcTranscodeInstance}.
 */
@Extension
public final class GrpcTranscodePlugin implements GatewayPlugin<GrpcTranscodePlugin.Settings> {
    /** The configuration, as the schema describes it (defaults filled in). */
    public record Settings(int maxRespBodySize, JsonNode protoId, String service, String method, double deadline,
                           List<String> pbOption, boolean showStatusInBody, String statusDetailType) {}

    @Override
    public String name() {
        return "grpc-transcode";
    }

    @Override
    public int priority() {
        return 506;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/grpc-transcode.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        return GrpcTranscodeInstance.of(config, services);
    }
}
