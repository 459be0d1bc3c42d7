package io.tidegate.proxy;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts client requests in flight so a shutdown can wait for them. Once draining, every new
 * request (on a new or a kept-alive connection) gets 503 with {@code Connection: close}, so
 * clients and load balancers move to another instance; connections of requests in flight close
 * when the server stops after the drain. (Undertow's listener suspend would close them at once,
 * cutting those requests.)
 */
final class InFlightRequests implements HttpHandler {
    private final HttpHandler next;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Object idle = new Object();

    InFlightRequests(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        // Counted before the draining check: drain() sets the flag before it reads the count, so a
        // request either shows in that count or sees the flag; none slips between the two.
        active.incrementAndGet();
        if (draining.get()) {
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

}
