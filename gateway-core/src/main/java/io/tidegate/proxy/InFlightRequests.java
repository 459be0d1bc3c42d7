package io.tidegate.proxy;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.protocols.http2.Http2Channel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts client requests in flight so a shutdown can wait for them. Once draining, every new
 * request (on a new or a kept-alive connection) gets 503 with {@code Connection: close}, so
 * clients and load balancers move to another instance; connections of requests in flight close
 * when the server stops after the drain. (Undertow's listener suspend would close them at once,
 * cutting those requests.)
 *
 * <p>A hand-over to a newer gateway ({@link #handOver}) serves those requests instead: each answer
 * closes its connection, so the client's next request goes to a new connection, which the newer
 * gateway accepts.
 */
final class InFlightRequests implements HttpHandler {
    private final HttpHandler next;
    private final AtomicInteger active = new AtomicInteger();
    /** Client requests taken since start (nginx's request total). */
    private final java.util.concurrent.atomic.LongAdder taken = new java.util.concurrent.atomic.LongAdder();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean handingOver;
    private final Object idle = new Object();

    InFlightRequests(HttpHandler next) {
        this.next = next;
    }

    /** Requests in flight now. */
    int active() {
        return active.get();
    }

    /** Requests taken since start. */
    long taken() {
        return taken.sum();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        // Counted before the draining check: drain() sets the flag before it reads the count, so a
        // request either shows in that count or sees the flag; none slips between the two.
        active.incrementAndGet();
        taken.increment();
        if (handingOver) {
            closeAfter(exchange);
        } else if (draining.get()) {
            finished();
            exchange.setPersistent(false);
            ErrorResponses.send(exchange, 503, "503 Service Unavailable: shutting down");
            return;
        }
        exchange.addExchangeCompleteListener((ex, nextListener) -> {
            finished();
            nextListener.proceed();
        });
        next.handleRequest(exchange);
    }

    /**
     * HTTP/1.1: {@code Connection: close}. HTTP/2: GOAWAY once the connection has no stream left
     * (Undertow's GOAWAY would cut streams still running); a stream the client opened meanwhile is
     * above GOAWAY's last stream id, which tells the client to retry it on a new connection.
     */
    private static void closeAfter(HttpServerExchange exchange) {
        Http2Channel h2 = Http2Streams.channel(exchange);
        if (h2 == null) {
            exchange.setPersistent(false);
            return;
        }
        exchange.addExchangeCompleteListener((ex, nextListener) -> {
            nextListener.proceed();
            if (Http2StreamLimit.openStreams(h2) == 0 && h2.isOpen()) {
                h2.sendGoAway(Http2Channel.ERROR_NO_ERROR);
            }
        });
    }

    private void finished() {
        if (active.decrementAndGet() == 0 && draining.get()) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** Starts draining and waits until no request is in flight; false when {@code millis} passed first. */
    boolean drain(long millis) throws InterruptedException {
        draining.set(true);
        long deadline = System.nanoTime() + millis * 1_000_000;
        synchronized (idle) {
            while (active.get() > 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                idle.wait(left);
            }
        }
        return true;
    }

    /**
     * Starts a hand-over: requests are served, each closing its connection (see {@link #closeAfter}),
     * and waits until no request is in flight and no client connection is open.
     *
     * @return false when {@code millis} passed first
     */
    boolean handOver(long millis, IntSupplier openConnections) throws InterruptedException {
        handingOver = true;
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (active.get() > 0 || openConnections.getAsInt() > 0) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

}
