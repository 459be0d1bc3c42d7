package io.tidegate.proxy;

import io.tidegate.plugin.api.RequestBodyTap;
import io.undertow.server.ConduitWrapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.ConduitFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Shows plugins' {@link RequestBodyTap}s each piece of the request body as the proxy reads it from
 * the client, then its end; the body itself streams on untouched and nothing is kept here. A tap
 * that throws is dropped (logged), never the request.
 */
final class RequestBodyTaps {
    private static final Logger log = LoggerFactory.getLogger(RequestBodyTaps.class);
    private static final AttachmentKey<RequestBodyTaps> KEY = AttachmentKey.create(RequestBodyTaps.class);

    private final List<RequestBodyTap> taps = new ArrayList<>(1);
    private boolean ended;

    private RequestBodyTaps() {}

    static void add(HttpServerExchange exchange, RequestBodyTap tap) {
        byte[] held = RequestBody.held(exchange);
        if (held != null || exchange.isRequestComplete()) {
            // read whole already (or there is none): the tap gets it at once
            if (held != null && held.length > 0) {
                tap.onData(ByteBuffer.wrap(held).asReadOnlyBuffer());
            }
            tap.onEnd(true);
            return;
        }
        RequestBodyTaps taps = exchange.getAttachment(KEY);
        if (taps == null) {
            taps = new RequestBodyTaps();
            exchange.putAttachment(KEY, taps);
            RequestBodyTaps installed = taps;
            exchange.addRequestWrapper(installed.wrapper());
            exchange.addExchangeCompleteListener((ex, next) -> {
                installed.end(false);
                next.proceed();
            });
        }
        taps.taps.add(tap);
    }

    private void data(ByteBuffer buffer, int from, int to) {
        if (from >= to || taps.isEmpty()) {
            return;
        }
        ByteBuffer view = buffer.asReadOnlyBuffer();
        for (int i = 0; i < taps.size(); i++) {
            view.limit(to).position(from);
            try {
                taps.get(i).onData(view);
            } catch (RuntimeException e) {
                log.error("a request body tap failed; it sees no more of this body", e);
                taps.remove(i--);
            }
        }
    }

    private void end(boolean complete) {
        if (ended) {
            return;
        }
        ended = true;
        for (RequestBodyTap tap : taps) {
            try {
                tap.onEnd(complete);
            } catch (RuntimeException e) {
                log.error("a request body tap failed at the body's end", e);
            }
        }
    }

    private ConduitWrapper<StreamSourceConduit> wrapper() {
        return (ConduitFactory<StreamSourceConduit> factory, HttpServerExchange exchange) -> new Tee(factory);
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
                data(dst, start, start + read);
            } else if (read < 0) {
                end(true);
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
                data(dsts[offs + i], starts[i], dsts[offs + i].position());
            }
            if (read < 0) {
                end(true);
            }
            return read;
        }

        // Transfers go through read() so that every byte passes the taps.
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
