package io.tidegate.plugins.compression;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One configuration of a streaming compression plugin: the decision on the response head, by its
 * {@link CompressionRules}, then the body through an {@link EncodingStream} chunk by chunk.
 *
 * <p>Only a response that passed before_proxy is compressed: an answer given in rewrite or access
 * (a 401, a 403, a cached hit) still goes through header_filter but never through body_filter, so
 * labelling it with a Content-Encoding would send plain bytes under a compressed name.
 */
final class CompressingInstance implements PluginInstance {
    /** An instance's own key: a global rule's and a route's instance may both see one request. */
    private final AttributeKey<EncodingStream> stream = AttributeKey.of("compression", EncodingStream.class);
    private final AttributeKey<Boolean> bodyFiltered = AttributeKey.of("compression-body-filtered", Boolean.class);
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
    public PhaseResult beforeProxy(PluginContext context) {
        // the gateway installs the body filters before this phase: from here on they see the body
        context.setAttribute(bodyFiltered, Boolean.TRUE);
        return PhaseResult.proceed();
    }

    @Override
    public void headerFilter(PluginContext context) {
        if (context.attribute(bodyFiltered) == null || !rules.applies(context)) {
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
        context.setAttribute(stream, encoder);
    }

    @Override
    public boolean filtersBody() {
        return true;
    }

    @Override
    public ByteBuffer bodyFilter(PluginContext context, ByteBuffer chunk, boolean last) {
        EncodingStream encoder = context.attribute(stream);
        if (encoder == null) {
            return chunk;
        }
        ByteBuffer out = encoder.next(chunk, last);
        if (last) {
            context.setAttribute(stream, null);
        }
        return out;
    }

    @Override
    public void log(PluginContext context) {
        EncodingStream unfinished = context.setAttribute(stream, null);
        if (unfinished != null) {
            unfinished.abandon();
        }
    }
}
