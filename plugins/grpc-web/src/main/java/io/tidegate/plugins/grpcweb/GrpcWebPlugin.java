package io.tidegate.plugins.grpcweb;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import org.pf4j.Extension;

/**
 * APISIX's {@code grpc-web} (priority 505): gRPC-Web calls from browsers and HTTP/1.1 clients,
 * binary ({@code application/grpc-web}, {@code +proto}) or base64 text ({@code -text}), turned
 * into gRPC for a {@code scheme: grpc}/{@code grpcs} upstream, and the answer back into gRPC-Web
 * with the call's status in a trailer frame at the end of the body. See {@link GrpcWebInstance}.
 */
@Extension
public final class GrpcWebPlugin implements GatewayPlugin<GrpcWebPlugin.Settings> {
    /** The configuration, as the schema describes it (defaults filled in). */
    public record Settings(int maxReqBodySize, String corsAllowHeaders) {}

    @Override
    public String name() {
        return "grpc-web";
    }

    @Override
    public int priority() {
        return 505;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/grpc-web.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        return new GrpcWebInstance(config, services.log());
    }
}
