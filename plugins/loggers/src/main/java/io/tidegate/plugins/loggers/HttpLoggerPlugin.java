package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code http-logger} (priority 410, log phase): entries batched to an HTTP collector
 * ({@code uri}, {@code auth_header}, {@code timeout} 3 s, {@code concat_method} json | new_line;
 * {@code batch_max_size} 1000, {@code inactive_timeout} 5, {@code buffer_duration} 60,
 * {@code max_retry_count} 0, {@code retry_delay} 1). A batch of one is sent as an object.
 * Routes and versions with the same settings share one queue and sender thread
 * ({@link PluginServices#shared}, keyed by the sender's settings), so a reload neither cuts a batch
 * short nor loses the entries of requests still running on the old version.
 *
 * <p>APISIX's schema (its own fields and the batch processor's), except that the durations are
 * seconds that may have a fraction, and {@code ssl_verify} and {@code log_format_extra} are not
 * supported (refused as unknown).
 */
@Extension
public final class HttpLoggerPlugin implements GatewayPlugin<HttpLoggerPlugin.Settings> {
    /** The configuration, as the schema describes it. */
    public record Settings(String uri, String authHeader, double timeout, String concatMethod, String name,
                           int batchMaxSize, double inactiveTimeout, double bufferDuration, int maxRetryCount, double retryDelay,
                           Map<String, String> logFormat, boolean includeReqBody, JsonNode includeReqBodyExpr, int maxReqBodyBytes,
                           boolean includeRespBody, JsonNode includeRespBodyExpr, int maxRespBodyBytes)
            implements EntrySettings {}

    @Override
    public String name() {
        return "http-logger";
    }

    @Override
    public int priority() {
        return 410;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/http-logger.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        BatchSender.Settings settings = new BatchSender.Settings(collector(config.uri()), config.authHeader(),
                seconds(Math.max(config.timeout(), 0.001)), config.concatMethod().equals("new_line"),
                config.batchMaxSize(), seconds(config.inactiveTimeout()), seconds(config.bufferDuration()),
                config.maxRetryCount(), seconds(config.retryDelay()));
        LogEntries entries = LogEntries.of(config, services);
        DropCounter dropped = services.droppedEntries();
        PluginLog log = services.log();
        BatchSender sender = services.shared(settings, () -> new BatchSender(settings, dropped, log));
        return new EntryLogger(entries, context -> sender.add(entries.capture(context)::utf8));
    }

    /** The one check the schema cannot make: that the JDK's client can send to the URL. */
    private static URI collector(String uri) throws PluginConfigException {
        try {
            URI parsed = new URI(uri);
            String scheme = parsed.getScheme();
            if (scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) && parsed.getHost() != null) {
                return parsed;
            }
        } catch (java.net.URISyntaxException e) {
            // worded below
        }
        throw new PluginConfigException("uri", "must be an http(s) URL");
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1_000_000_000d));
    }
}
