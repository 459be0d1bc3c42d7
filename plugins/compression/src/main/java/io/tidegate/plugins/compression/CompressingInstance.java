package io.tidegate.plugins.compression;

import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginLog;
import java.io.IOException;

/**
 * One configuration of brotli or zstd: the decision on the response head, by its
 * {@link CompressionRules}; the body then goes through an {@link EncodingStream} chunk by chunk
 * ({@link EncodingInstance}).
 */
final class CompressingInstance extends EncodingInstance {
    private final CompressionRules rules;
    private final boolean vary;
    private final EncodingStream.Factory streams;
    private final PluginLog log;

    CompressingInstance(CompressionRules rules, boolean vary, EncodingStream.Factory streams, PluginLog log) {
        this.rules = rules;
        this.vary = vary;
        this.streams = streams;
        this.log = log;
    }

    @Override
    public void headerFilter(PluginContext context) {
        if (!reachedProxy(context) || !rules.applies(context)) {
            return;
        }
        PluginContext.Response response = context.response();
        EncodingStream encoder;
        try {
            encoder = streams.open(response.header("Content-Length") == null);
        } catch (IOException | RuntimeException e) {
            // the head is untouched yet: the client still gets a correct, uncompressed answer
            log.error("could not start a {} encoder, response sent uncompressed: {}", rules.coding(), e.toString());
            return;
        }
        EncodedHeaders.apply(response, rules.coding(), vary);
        encodeWith(context, encoder);
    }
}
