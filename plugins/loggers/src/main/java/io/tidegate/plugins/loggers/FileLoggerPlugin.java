package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigFields;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.LineSink;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.Set;
import org.pf4j.Extension;

/**
 * APISIX's {@code file-logger} (priority 399, log phase): one JSON line per request into
 * {@code path}, written by the gateway's shared file writer (off the request path, reopened after
 * rotation). {@code log_format}, {@code include_req_body}, {@code include_resp_body} and their caps.
 */
@Extension
public final class FileLoggerPlugin implements GatewayPlugin {
    private static final Set<String> FIELDS = Set.of("path", "log_format", "include_req_body", "include_resp_body",
            "max_req_body_bytes", "max_resp_body_bytes", "include_req_body_expr", "include_resp_body_expr");

    @Override
    public String name() {
        return "file-logger";
    }

    @Override
    public int priority() {
        return 399;
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        ConfigFields.requireOnly(config, FIELDS);
        JsonNode path = config.get("path");
        if (path == null || !path.isTextual() || path.textValue().isEmpty()) {
            throw new PluginConfigException("path", "is required");
        }
        LogEntries entries = LogEntries.of(config, services);
        LineSink sink = services.lineSink(path.textValue());
        return new EntryLogger(entries, context -> sink.write(entries.line(context)), () -> { });
    }
}
