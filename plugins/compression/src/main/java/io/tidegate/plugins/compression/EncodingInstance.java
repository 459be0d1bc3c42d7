package io.tidegate.plugins.compression;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.nio.ByteBuffer;

/**
 * What every streaming compression plugin (gzip, brotli, zstd) does around its own decision on the
 * response head: the body through the {@link EncodingStream} it chose, chunk by chunk, and the
 * stream freed when the response ends early.
 *
 * <p>Only a response that passed before_proxy may be compressed: an answer given in rewrite or
 * access (a 401, a cached hit) still goes through header_filter but never through body_filter, so
 * labelling it with a Content-Encoding would send plain bytes under a compressed name.
 */
abstract class EncodingInstance implements PluginInstance {
    /** An instance's own keys: a global rule's and a route's instance may both see one request. */
    private final AttributeKey<EncodingStream> stream = AttributeKey.of("compression", EncodingStream.class);
    private final AttributeKey<Boolean> proxied = AttributeKey.of("compression-proxied", Boolean.class);

    @Override
    public final PhaseResult beforeProxy(PluginContext context) {
        // the gateway installs the body filters before this phase: from here on they see the body
        context.setAttribute(proxied, Boolean.TRUE);
        return PhaseResult.proceed();
    }

    /** Whether the response comes from the proxy, so that its body will pass the body filter. */
    protected final boolean reachedProxy(PluginContext context) {
        return context.attribute(proxied) != null;
    }

    /** The body of this response goes through {@code encoder} (its head already says so). */
    protected final void encodeWith(PluginContext context, EncodingStream encoder) {
        context.setAttribute(stream, encoder);
    }

    @Override
    public final boolean filtersBody() {
        return true;
    }

    @Override
    public final ByteBuffer bodyFilter(PluginContext context, ByteBuffer chunk, boolean last) {
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
    public final void log(PluginContext context) {
        EncodingStream unfinished = context.setAttribute(stream, null);
        if (unfinished != null) {
            unfinished.abandon();
        }
    }
}
