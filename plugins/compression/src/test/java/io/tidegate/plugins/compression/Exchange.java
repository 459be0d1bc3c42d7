package io.tidegate.plugins.compression;

import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.TestContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A proxied response through a chain of instances (highest priority first) as the gateway runs it,
 * in bytes: before_proxy, header_filter, body_filter chunk by chunk, log. (PhaseDriver carries a
 * body as text, which compressed bytes are not.)
 *
 * @param pieces what the client received for each chunk the upstream sent, the last call's included
 */
record Exchange(TestContext context, List<byte[]> pieces) {
    static Exchange run(TestContext context, int status, Map<String, String> headers, byte[] body, int chunkSize,
                        PluginInstance... chain) {
        for (PluginInstance instance : chain) {
            instance.beforeProxy(context);
        }
        context.upstreamResponse(status, headers);
        for (PluginInstance instance : chain) {
            instance.headerFilter(context);
        }
        List<byte[]> pieces = new ArrayList<>();
        for (int offset = 0; offset < body.length; offset += chunkSize) {
            pieces.add(filter(context, Arrays.copyOfRange(body, offset, Math.min(body.length, offset + chunkSize)), false, chain));
        }
        pieces.add(filter(context, new byte[0], true, chain));
        for (PluginInstance instance : chain) {
            instance.log(context);
        }
        return new Exchange(context, pieces);
    }

    private static byte[] filter(TestContext context, byte[] chunk, boolean last, PluginInstance... chain) {
        ByteBuffer current = ByteBuffer.wrap(chunk);
        for (PluginInstance instance : chain) {
            if (instance.filtersBody()) {
                current = instance.bodyFilter(context, current, last);
            }
        }
        byte[] out = new byte[current.remaining()];
        current.get(out);
        return out;
    }

    /** Everything the client received. */
    byte[] body() {
        return firstPieces(pieces.size());
    }

    /** What the client had received once the first {@code count} chunks were through. */
    byte[] firstPieces(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pieces.subList(0, count).forEach(out::writeBytes);
        return out.toByteArray();
    }

    String header(String name) {
        return context.response().header(name);
    }

    /** Every value of a response header, in order. */
    List<String> headers(String name) {
        List<String> values = new ArrayList<>();
        context.response().forEachHeader((header, list) -> {
            if (header.equalsIgnoreCase(name)) {
                values.addAll(list);
            }
        });
        return values;
    }
}
