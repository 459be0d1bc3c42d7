package io.tidegate.proxy;

import io.tidegate.upstream.UpstreamProxyClient;
import io.undertow.server.ConduitWrapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ConduitFactory;
import io.undertow.util.WorkerUtils;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.StreamSinkConduit;

/**
 * {@code timeout.read} after the response head, as nginx's proxy_read_timeout: the response body
 * must make progress at least every {@code read} seconds. Progress is measured where the proxy
 * writes to the client (it writes what it read from the upstream), so an upstream that trickles
 * nothing, or a client that stops reading for that long, ends the exchange: both connections are
 * closed, and the client sees a response cut short rather than one presented as complete. All on
 * the exchange's IO thread, which owns both connections.
 */
final class StalledBodyWatch implements ConduitWrapper<StreamSinkConduit> {
    private static final Logger log = LoggerFactory.getLogger(StalledBodyWatch.class);
    private final long timeoutNanos;
    private long lastProgress = System.nanoTime();
    private XnioExecutor.Key timer;

    private StalledBodyWatch(long timeoutMillis) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** Installs the watch; it starts when the response head is sent and ends with the exchange. */
    static void install(HttpServerExchange exchange, long timeoutMillis) {
        StalledBodyWatch watch = new StalledBodyWatch(timeoutMillis);
        exchange.addResponseWrapper(watch);
        exchange.addExchangeCompleteListener((ex, next) -> {
            if (watch.timer != null) {
                watch.timer.remove();
            }
            next.proceed();
        });
    }

    @Override
    public StreamSinkConduit wrap(ConduitFactory<StreamSinkConduit> factory, HttpServerExchange exchange) {
        lastProgress = System.nanoTime();
        schedule(exchange, timeoutNanos);
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

    private void schedule(HttpServerExchange exchange, long delayNanos) {
        timer = WorkerUtils.executeAfter(exchange.getIoThread(), () -> check(exchange), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(HttpServerExchange exchange) {
        timer = null;
        if (exchange.isComplete()) {
            return;
        }
        long idle = System.nanoTime() - lastProgress;
        if (idle < timeoutNanos) {
            schedule(exchange, timeoutNanos - idle);
            return;
        }
        log.warn("{} {}: the response body made no progress for {} ms; closing the exchange", exchange.getRequestMethod(),
                exchange.getRequestPath(), TimeUnit.NANOSECONDS.toMillis(idle));
        IoUtils.safeClose(exchange.getAttachment(UpstreamProxyClient.CONNECTION));
        IoUtils.safeClose(exchange.getConnection());
    }
}
