package io.tidegate.proxy;

import io.tidegate.upstream.UpstreamFailure;
import io.undertow.server.ConduitWrapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ConduitFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The upstream read timeout: once the whole request has been passed on, the upstream has
 * {@code read} seconds to send its response head, or the client gets 504. The clock starts when the
 * client's body ends, so a slow upload never counts against the upstream. Everything runs on the
 * exchange's IO thread, which also owns the upstream connection, so no locking is needed.
 *
 * <p>Deadlines are watched by one {@link IoThreadSweep} task per IO thread, every
 * {@link #SWEEP_MILLIS}, not by a timer per request: a JFR profile of the proxy path showed the
 * timer queue's inserts and removals (a TreeMap per IO thread) at about 5% of its CPU.
 */
final class ResponseTimeout implements IoThreadSweep.Watched {
    static final long SWEEP_MILLIS = 50;
    private static final IoThreadSweep<ResponseTimeout> SWEEP = new IoThreadSweep<>(SWEEP_MILLIS);

    private final HttpServerExchange exchange;
    private final long deadlineNanos;
    private IoThreadSweep<ResponseTimeout>.Entry entry;

    private ResponseTimeout(HttpServerExchange exchange, long millis) {
        this.exchange = exchange;
        this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Override
    public boolean check(long nowNanos) {
        if (exchange.isResponseStarted() || exchange.isComplete()) {
            return true;
        }
        if (nowNanos - deadlineNanos >= 0) {
            expire(exchange);
            return true;
        }
        return false;
    }

    static void arm(HttpServerExchange exchange, long millis) {
        if (exchange.isRequestComplete() || RequestBody.held(exchange) != null) {
            // a body a plugin read whole is in memory: passing it on takes no time worth waiting for
            schedule(exchange, millis);
        } else {
            exchange.addRequestWrapper(new EndOfBodyWrapper(millis));
        }
        exchange.addResponseCommitListener(ResponseTimeout::disarm);
    }

    private static void schedule(HttpServerExchange exchange, long millis) {
        if (exchange.getAttachment(KEY) != null || exchange.isResponseStarted()) {
            return;
        }
        ResponseTimeout timeout = new ResponseTimeout(exchange, millis);
        exchange.putAttachment(KEY, timeout);
        if (Thread.currentThread() == exchange.getIoThread()) {
            timeout.entry = SWEEP.join(exchange.getIoThread(), timeout);
        } else {
            exchange.getIoThread().execute(() -> {
                if (exchange.getAttachment(KEY) == timeout) {
                    timeout.entry = SWEEP.join(exchange.getIoThread(), timeout);
                }
            });
        }
        exchange.addExchangeCompleteListener((ex, next) -> {
            disarm(ex);
            next.proceed();
        });
    }

    /** The response head arrived (or the exchange ended): the timeout no longer applies. */
    private static void disarm(HttpServerExchange exchange) {
        io.tidegate.http.ExchangeClock clock = io.tidegate.http.ExchangeClock.of(exchange);
        if (clock != null) {
            clock.upstreamHeadArrived();
        }
        ResponseTimeout timeout = exchange.putAttachment(KEY, DONE);
        if (timeout != null && timeout.entry != null) {
            timeout.entry.leave();
        }
    }

    private static void expire(HttpServerExchange exchange) {
        if (exchange.isResponseStarted() || exchange.isComplete()) {
            return;
        }
        // Marked first: the proxy client reads it to stop retrying and to drop a late connection.
        UpstreamFailures.mark(exchange, UpstreamFailure.TIMED_OUT);
        IoUtils.safeClose(exchange.getAttachment(ProxyExchange.KEY));
        // Closing the upstream connection only shows up in the proxy once the upstream reacts, so
        // answer now. The proxy may still close this client connection when its failure arrives,
        // so the 504 is the last response on it.
        exchange.setPersistent(false);
        ErrorResponses.send(exchange, 504, "504 Gateway Timeout");
    }

    private static final io.undertow.util.AttachmentKey<ResponseTimeout> KEY = io.undertow.util.AttachmentKey.create(ResponseTimeout.class);
    /** The response head arrived: nothing to watch any more. */
    private static final ResponseTimeout DONE = new ResponseTimeout(null, 0);

    /** Starts the clock when the client's request body has been read to its end. */
    private record EndOfBodyWrapper(long millis) implements ConduitWrapper<StreamSourceConduit> {
        @Override
        public StreamSourceConduit wrap(ConduitFactory<StreamSourceConduit> factory, HttpServerExchange exchange) {
            return new AbstractStreamSourceConduit<>(factory.create()) {
                private long ended(long result) {
                    if (result == -1) {
                        schedule(exchange, millis);
                    }
                    return result;
                }

                @Override
                public int read(ByteBuffer dst) throws IOException {
                    return (int) ended(super.read(dst));
                }

                @Override
                public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
                    return ended(super.read(dsts, offs, len));
                }

                @Override
                public long transferTo(long position, long count, FileChannel target) throws IOException {
                    return ended(super.transferTo(position, count, target));
                }

                @Override
                public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
                    return ended(super.transferTo(count, throughBuffer, target));
                }
            };
        }
    }
}
