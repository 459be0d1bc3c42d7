package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.LineSink;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code file-logger} (priority 399, log phase): one JSON line per request into
 * {@code path}, written by the gateway's shared file writer (off the request path, reopened after
 * rotation). {@code log_format}, {@code include_req_body}, {@code include_resp_body}, their caps
 * and conditions. APISIX's schema, except that {@code path} is required (there is no plugin
 * metadata to take it from) and {@code log_format} maps names to strings.
 */
@Extension
public final class FileLoggerPlugin implements GatewayPlugin<FileLoggerPlugin.Settings> {
    /** The configuration, as the schema describes it. */
    public record Settings(String path, Map<String, String> logFormat, boolean includeReqBody, JsonNode includeReqBodyExpr,
                           int maxReqBodyBytes, boolean includeRespBody, JsonNode includeRespBodyExpr, int maxRespBodyBytes)
            implements EntrySettings {}

    @Override
    public String name() {
        return "file-logger";
    }

    @Override
    public int priority() {
        return 399;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/file-logger.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        LogEntries entries = LogEntries.of(config, services);
        LineSink sink = services.lineSink(config.path());
        return new EntryLogger(entries, context -> sink.write(entries.line(context)));
    }
}
