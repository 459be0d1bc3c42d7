package io.tidegate.plugins.compression;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.Set;
import org.pf4j.Extension;

/**
 * APISIX's {@code gzip} (priority 995), nginx's gzip filter: compresses a response whose
 * Content-Type is one of {@code types} ("*": any) and whose Content-Length (when known) is at least
 * {@code min_length}, for a client whose Accept-Encoding takes gzip (q-values honoured) over HTTP
 * {@code http_version} or later, at {@code comp_level}; as nginx, only a 200, 403 or 404 that is
 * not already encoded, no range, no HEAD. Streams: each chunk is compressed as it passes.
 */
@Extension
public final class GzipPlugin implements GatewayPlugin<GzipPlugin.Settings> {
    public record Buffers(int number, int size) {}

    public record Settings(JsonNode types, int minLength, int compLevel, double httpVersion, Buffers buffers, Boolean vary) {}

    @Override
    public String name() {
        return "gzip";
    }

    @Override
    public int priority() {
        return 995;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/gzip.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) {
        // "*" (no list) takes any type; an empty list, none
        Set<String> types = config.types().isArray() ? CompressionRules.mediaTypes(config.types()) : null;
        return new GzipInstance(types, config.minLength(), config.compLevel(),
                config.httpVersion(), Boolean.TRUE.equals(config.vary()), services.shared("deflaters", DeflaterPool::new));
    }

    /** One configuration: the decision on the response head, the compression on its body. */
    static final class GzipInstance extends EncodingInstance {
        private final Set<String> types;
        private final int minLength;
        private final int level;
        private final double httpVersion;
        private final boolean vary;
        private final DeflaterPool deflaters;

        GzipInstance(Set<String> types, int minLength, int level, double httpVersion, boolean vary, DeflaterPool deflaters) {
            this.types = types;
            this.minLength = minLength;
            this.level = level;
            this.httpVersion = httpVersion;
            this.vary = vary;
            this.deflaters = deflaters;
        }

        @Override
        public void headerFilter(PluginContext context) {
            if (!reachedProxy(context)) {
                return;
            }
            PluginContext.Response response = context.response();
            int status = response.status();
            // nginx's gzip filter: only 200, 403 and 404, never a range of the body
            if (status != 200 && status != 403 && status != 404 || "HEAD".equals(context.request().method())
                    || response.header("Content-Range") != null) {
                return;
            }
            String encoding = response.header("Content-Encoding");
            if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
                return;
            }
            String contentType = response.header("Content-Type");
            if (contentType == null) {
                return;
            }
            if (types != null && !types.contains(CompressionRules.mediaType(contentType))) {
                return;
            }
            String length = response.header("Content-Length");
            boolean streamed = length == null;
            if (length != null) {
                try {
                    if (Long.parseLong(length.strip()) < minLength) {
                        return;
                    }
                } catch (NumberFormatException ignored) {
                    // not a length: compress as if unknown
                }
            }
            if (vary) {
                // the answer depends on Accept-Encoding whether or not this client gets it compressed
                response.addHeader("Vary", "Accept-Encoding");
            }
            if (CompressionRules.version(context.var("server_protocol")) < httpVersion
                    || !AcceptEncoding.accepts(context.request().headers("Accept-Encoding"), "gzip")) {
                return;
            }
            response.setHeader("Content-Encoding", "gzip");
            response.removeHeader("Content-Length");
            response.removeHeader("Accept-Ranges");  // ranges of the uncompressed body no longer apply
            String etag = response.header("ETag");
            if (etag != null && !etag.startsWith("W/")) {
                response.setHeader("ETag", "W/" + etag);  // the bytes differ now: only weakly the same
            }
            encodeWith(context, new GzipStream(deflaters, level, streamed));
        }
    }
}
