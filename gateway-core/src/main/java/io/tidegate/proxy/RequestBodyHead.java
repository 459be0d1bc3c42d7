package io.tidegate.proxy;

import io.tidegate.plugin.api.RequestBodyTap;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Copies the first bytes of the request body aside as the proxy reads it, for plugins that log
 * it: a {@link RequestBodyTaps tap} that keeps at most its cap. The body itself streams on
 * untouched: a large upload costs at most the cap in memory, and nothing waits for the body to be
 * complete.
 */
final class RequestBodyHead implements RequestBodyTap {
    private static final AttachmentKey<RequestBodyHead> KEY = AttachmentKey.create(RequestBodyHead.class);
    private static final byte[] NONE = new byte[0];

    private final int cap;
    private byte[] bytes = NONE;
    private int length;

    private RequestBodyHead(int cap) {
        this.cap = cap;
    }

    /** Arranges for up to {@code cap} bytes of the body to be kept; nothing when {@code cap} is 0. */
    static void keep(HttpServerExchange exchange, int cap) {
        if (cap <= 0) {
            return;
        }
        RequestBodyHead head = new RequestBodyHead(cap);
        exchange.putAttachment(KEY, head);
        RequestBodyTaps.add(exchange, head);
    }

    /** What was kept of the exchange's request body so far. */
    static byte[] of(HttpServerExchange exchange) {
        RequestBodyHead head = exchange.getAttachment(KEY);
        return head == null ? NONE : Arrays.copyOf(head.bytes, head.length);
    }

    @Override
    public void onData(ByteBuffer data) {
        int take = Math.min(data.remaining(), cap - length);
        if (take <= 0) {
            return;
        }
        if (length + take > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(cap, Math.max(length + take, bytes.length * 2)));
        }
        data.get(bytes, length, take);
        length += take;
    }

    @Override
    public void onEnd(boolean complete) {
        // what was kept is all there is
    }
}
