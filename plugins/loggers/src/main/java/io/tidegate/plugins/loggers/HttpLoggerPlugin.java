package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigFields;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import org.pf4j.Extension;

/**
 * APISIX's {@code http-logger} (priority 410, log phase): entries batched to an HTTP collector
 * ({@code uri}, {@code auth_header}, {@code timeout} 3 s, {@code concat_method} json | new_line;
 * {@code batch_max_size} 1000, {@code inactive_timeout} 5, {@code buffer_duration} 60,
 * {@code max_retry_count} 0, {@code retry_delay} 1). A batch of one is sent as an object.
 * Routes and versions with the same settings share one queue and sender thread ({@link SharedSenders}).
 */
@Extension
public final class HttpLoggerPlugin implements GatewayPlugin {
    private static final Set<String> FIELDS = Set.of("uri", "auth_header", "timeout", "concat_method", "batch_max_size",
            "inactive_timeout", "buffer_duration", "max_retry_count", "retry_delay", "log_format", "include_req_body",
            "include_resp_body", "max_req_body_bytes", "max_resp_body_bytes", "include_req_body_expr", "include_resp_body_expr",
            "name");

    private final SharedSenders senders = new SharedSenders();

    @Override
    public String name() {
        return "http-logger";
    }

    @Override
    public int priority() {
        return 410;
    }

    @Override
    public PluginInstance create(JsonNode config, PluginServices services) throws PluginConfigException {
        ConfigFields.requireOnly(config, FIELDS);
        URI uri;
        try {
            uri = URI.create(config.path("uri").asText(""));
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException("uri", "must be an http(s) URL");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
            throw new PluginConfigException("uri", "must be an http(s) URL");
        }
        String concat = config.path("concat_method").asText("json");
        if (!concat.equals("json") && !concat.equals("new_line")) {
            throw new PluginConfigException("concat_method", "must be json or new_line");
        }
        BatchSender.Settings settings = new BatchSender.Settings(uri,
                config.hasNonNull("auth_header") ? config.get("auth_header").asText() : null,
                seconds(config, "timeout", 3), concat.equals("new_line"),
                positive(config, "batch_max_size", 1000),
                seconds(config, "inactive_timeout", 5), seconds(config, "buffer_duration", 60),
                atLeastZero(config, "max_retry_count", 0), seconds(config, "retry_delay", 1));
        LogEntries entries = LogEntries.of(config, services);
        SharedSenders.Lease lease = senders.acquire(settings, services.droppedEntries(name()));
        BatchSender sender = lease.sender();
        return new EntryLogger(entries, context -> sender.add(entries.utf8Line(context)), lease::release);
    }

    private static Duration seconds(JsonNode config, String field, double fallback) throws PluginConfigException {
        JsonNode value = config.get(field);
        if (value == null) {
            return Duration.ofMillis(Math.round(fallback * 1000));
        }
        if (!value.isNumber() || value.doubleValue() <= 0) {
            throw new PluginConfigException(field, "must be a number of seconds > 0");
        }
        return Duration.ofMillis(Math.round(value.doubleValue() * 1000));
    }

    private static int positive(JsonNode config, String field, int fallback) throws PluginConfigException {
        JsonNode value = config.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isInt() || value.intValue() <= 0) {
            throw new PluginConfigException(field, "must be an integer > 0");
        }
        return value.intValue();
    }

    private static int atLeastZero(JsonNode config, String field, int fallback) throws PluginConfigException {
        JsonNode value = config.get(field);
        if (value == null) {
            return fallback;
        }
        if (!value.isInt() || value.intValue() < 0) {
            throw new PluginConfigException(field, "must be an integer >= 0");
        }
        return value.intValue();
    }
}
