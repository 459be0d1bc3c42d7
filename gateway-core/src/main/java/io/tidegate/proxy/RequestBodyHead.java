package io.tidegate.proxy;

import io.undertow.server.ConduitWrapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.ConduitFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Copies the first bytes of the request body aside as the proxy reads it, for plugins that log
 * it. The body itself streams on untouched: a large upload costs at most the cap in memory, and
 * nothing waits for the body to be complete.
 */
final class RequestBodyHead {
    private static final AttachmentKey<RequestBodyHead> KEY = AttachmentKey.create(RequestBodyHead.class);
    private static final byte[] NONE = new byte[0];

    private final int cap;
    private byte[] bytes = NONE;
    private int length;

    private RequestBodyHead(int cap) {
        this.cap = cap;
    }

    /** Arranges for up to {@code cap} bytes of the body to be kept; nothing when {@code cap} is 0 or there is no body. */
    static void keep(HttpServerExchange exchange, int cap) {
        if (cap <= 0) {
            return;
        }
        if (RequestBody.held(exchange) != null) {
            exchange.putAttachment(KEY, new RequestBodyHead(cap));  // only its cap: the body is in memory already
            return;
        }
        if (exchange.isRequestComplete()) {
            return;
        }
        RequestBodyHead head = new RequestBodyHead(cap);
        exchange.putAttachment(KEY, head);
        exchange.addRequestWrapper(head.wrapper());
    }

    /** What was kept of the exchange's request body so far. */
    static byte[] of(HttpServerExchange exchange) {
        RequestBodyHead head = exchange.getAttachment(KEY);
        byte[] whole = RequestBody.held(exchange);
        if (whole != null) {
            return head == null ? NONE : Arrays.copyOf(whole, Math.min(whole.length, head.cap));
        }
        return head == null ? NONE : Arrays.copyOf(head.bytes, head.length);
    }

    private void copy(ByteBuffer buffer, int from, int to) {
        int take = Math.min(to - from, cap - length);
        if (take <= 0) {
            return;
        }
        if (length + take > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(cap, Math.max(length + take, bytes.length * 2)));
        }
        buffer.duplicate().position(from).get(bytes, length, take);
        length += take;
    }

    private ConduitWrapper<StreamSourceConduit> wrapper() {
        return (factory, exchange) -> new Tee(factory);
    }

    private final class Tee extends AbstractStreamSourceConduit<StreamSourceConduit> {
        Tee(ConduitFactory<StreamSourceConduit> factory) {
            super(factory.create());
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int start = dst.position();
            int read = super.read(dst);
            if (read > 0) {
                copy(dst, start, start + read);
            }
            return read;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
            int[] starts = new int[len];
            for (int i = 0; i < len; i++) {
                starts[i] = dsts[offs + i].position();
            }
            long read = super.read(dsts, offs, len);
            for (int i = 0; i < len && read > 0; i++) {
                copy(dsts[offs + i], starts[i], dsts[offs + i].position());
            }
            return read;
        }

        // Transfers go through read() so that every byte passes the copy.
        @Override
        public long transferTo(long position, long count, FileChannel target) throws IOException {
            return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
        }

        @Override
        public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
            return Conduits.transfer(this, count, throughBuffer, target);
        }
    }
}
