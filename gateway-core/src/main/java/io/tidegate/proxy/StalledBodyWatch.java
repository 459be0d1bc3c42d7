package io.tidegate.proxy;

import io.undertow.server.ConduitWrapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ConduitFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.StreamSinkConduit;

/**
 * {@code timeout.read} after the response head, as nginx's proxy_read_timeout: the response body
 * must make progress at least every {@code read} seconds. Progress is measured where the proxy
 * writes to the client (it writes what it read from the upstream), so an upstream that trickles
 * nothing, or a client that stops reading for that long, ends the exchange: both connections are
 * closed, and the client sees a response cut short rather than one presented as complete.
 *
 * <p>Responses being sent are watched by one {@link IoThreadSweep} task per IO thread that looks
 * every {@value #SWEEP_MILLIS} ms, so there is no timer per request. Everything runs on the
 * exchange's IO thread, which owns both connections, so nothing is locked.
 */
final class StalledBodyWatch implements ConduitWrapper<StreamSinkConduit>, IoThreadSweep.Watched {
    private static final Logger log = LoggerFactory.getLogger(StalledBodyWatch.class);
    static final long SWEEP_MILLIS = 250;
    private static final IoThreadSweep<StalledBodyWatch> SWEEP = new IoThreadSweep<>(SWEEP_MILLIS);

    private final HttpServerExchange exchange;
    private final long timeoutNanos;
    private long lastProgress;
    private IoThreadSweep<StalledBodyWatch>.Entry entry;

    private StalledBodyWatch(HttpServerExchange exchange, long timeoutMillis) {
        this.exchange = exchange;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** Installs the watch; it starts when the response head is sent and ends with the exchange. */
    static void install(HttpServerExchange exchange, long timeoutMillis) {
        StalledBodyWatch watch = new StalledBodyWatch(exchange, timeoutMillis);
        exchange.addResponseWrapper(watch);
        exchange.addExchangeCompleteListener((ex, nextListener) -> {
            if (watch.entry != null) {
                watch.entry.leave();
            }
            nextListener.proceed();
        });
    }

    @Override
    public StreamSinkConduit wrap(ConduitFactory<StreamSinkConduit> factory, HttpServerExchange ex) {
        lastProgress = System.nanoTime();
        if (Thread.currentThread() == ex.getIoThread()) {
            entry = SWEEP.join(ex.getIoThread(), this);
        } // else a response sent from another thread (a plugin's late answer): made by the gateway, not streamed
        return new AbstractStreamSinkConduit<>(factory.create()) {
            private long progressed(long written) {
                if (written > 0) {
                    lastProgress = System.nanoTime();
                }
                return written;
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                return (int) progressed(super.write(src));
            }

            @Override
            public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
                return progressed(super.write(srcs, offs, len));
            }

            @Override
            public int writeFinal(ByteBuffer src) throws IOException {
                return (int) progressed(super.writeFinal(src));
            }

            @Override
            public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
                return progressed(super.writeFinal(srcs, offs, len));
            }

            @Override
            public long transferFrom(FileChannel src, long position, long count) throws IOException {
                return progressed(super.transferFrom(src, position, count));
            }

            @Override
            public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
                return progressed(super.transferFrom(source, count, throughBuffer));
            }
        };
    }

    /** True when the body stalled and the exchange was ended (or it is over anyway). */
    @Override
    public boolean check(long now) {
        if (exchange.isComplete()) {
            return true;
        }
        long idle = now - lastProgress;
        if (idle < timeoutNanos) {
            return false;
        }
        log.warn("{} {}: the response body made no progress for {} ms; closing the exchange", exchange.getRequestMethod(),
                exchange.getRequestPath(), TimeUnit.NANOSECONDS.toMillis(idle));
        IoUtils.safeClose(exchange.getAttachment(ProxyExchange.KEY));
        IoUtils.safeClose(exchange.getConnection());
        return true;
    }
}
