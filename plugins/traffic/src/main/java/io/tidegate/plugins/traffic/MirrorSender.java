package io.tidegate.plugins.traffic;

import io.tidegate.plugin.api.DropCounter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends mirror requests for every proxy-mirror of the gateway, fire and forget: at most
 * {@link #MAX_IN_FLIGHT} at once, more are dropped and counted, as are those that fail; their
 * bodies together wait in at most {@link #MAX_QUEUED_TOTAL} bytes. Requests
 * are started on its own thread (the client may resolve the mirror's name while starting, which
 * must not stall an IO thread). Kept across configuration versions.
 */
final class MirrorSender implements AutoCloseable {
    static final int MAX_IN_FLIGHT = 256;
    /** What all mirror bodies together may hold while their mirrors catch up. */
    static final long MAX_QUEUED_TOTAL = 64L << 20;

    private final HttpClient client;
    private final DropCounter drops;
    private final ExecutorService starter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "tidegate-proxy-mirror");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();

    MirrorSender(HttpClient client, DropCounter drops) {
        this.client = client;
        this.drops = drops;
    }

    /** Whether a slot was free; the caller then {@link #send}s exactly once. */
    boolean reserve() {
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            drop();
            return false;
        }
        return true;
    }

    /** Gives back a reserved slot that will not be used (the request could not be made: counted as dropped). */
    void unreserve() {
        inFlight.decrementAndGet();
        drop();
    }

    /** Sends a reserved request; its answer is read and thrown away. {@code body} is its body's copy, or null. */
    void send(HttpRequest request, MirrorBody body) {
        try {
            starter.execute(() -> {
                try {
                    java.util.concurrent.CompletableFuture<HttpResponse<Void>> sent =
                            client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
                    sent.whenComplete((response, failure) -> {
                        inFlight.decrementAndGet();
                        if (body != null) {
                            body.close();  // whatever of the body still waits gives its bytes back
                        }
                        if (failure != null) {
                            drop();
                        }
                    });
                    if (body != null) {
                        body.onAbort(() -> sent.cancel(true));  // cancel(true) aborts the exchange (JDK 16+)
                    }
                } catch (RuntimeException e) {
                    inFlight.decrementAndGet();
                    if (body != null) {
                        body.close();
                    }
                    drop();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inFlight.decrementAndGet();  // closed: the gateway is going away
        }
    }

    /** Takes {@code bytes} of the shared body budget; false, taking nothing, when it would go over. */
    boolean take(long bytes) {
        if (queued.addAndGet(bytes) > MAX_QUEUED_TOTAL) {
            queued.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void give(long bytes) {
        queued.addAndGet(-bytes);
    }

    private void drop() {
        dropped.incrementAndGet();
        drops.add(1);
    }

    /** Mirror requests given up so far (for tests and logs). */
    long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        starter.shutdown();
    }
}
