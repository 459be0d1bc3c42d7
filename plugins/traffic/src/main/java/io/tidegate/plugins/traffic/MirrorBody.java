package io.tidegate.plugins.traffic;

import io.tidegate.plugin.api.RequestBodyTap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;

/**
 * The copy of one request body on its way to the mirror: fed by the gateway as the body streams
 * to the upstream ({@link RequestBodyTap}), drained by the HTTP client as the mirror takes it. At
 * most {@code maxQueued} bytes of it wait here, and no more than the sender's budget for all
 * mirrors allows: a mirror slower than the client loses its copy (the mirror request is aborted)
 * rather than hold the body in memory or slow the client down. Bytes are gathered in blocks of
 * {@link #BLOCK} so that the client handles few large pieces rather than many small ones.
 */
final class MirrorBody implements RequestBodyTap, Flow.Publisher<ByteBuffer> {
    static final int BLOCK = 64 * 1024;

    private final int maxQueued;
    private final MirrorSender budget;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    /** The block being filled (write mode), or null. */
    private ByteBuffer tail;
    private int queuedBytes;
    private long demand;
    private boolean ended;
    private Throwable failure;
    private boolean finished;
    private boolean draining;
    private boolean missed;
    private Flow.Subscriber<? super ByteBuffer> subscriber;
    /** Aborts the mirror request: a client blocked writing to a mirror that stopped reading hears nothing else. */
    private Runnable abort;

    MirrorBody(int maxQueued, MirrorSender budget) {
        this.maxQueued = maxQueued;
        this.budget = budget;
    }

    @Override
    public void onData(ByteBuffer data) {
        Runnable abortNow = null;
        synchronized (this) {
            if (failure != null || ended) {
                return;
            }
            int length = data.remaining();
            if (queuedBytes + length > maxQueued || !budget.take(length)) {
                abortNow = fail(new IOException("the mirror took the body slower than the client sent it"));
            } else {
                queuedBytes += length;
                while (data.hasRemaining()) {
                    if (tail == null || !tail.hasRemaining()) {
                        if (tail != null) {
                            queue.add(tail.flip());
                        }
                        tail = ByteBuffer.allocate(BLOCK);
                    }
                    int take = Math.min(data.remaining(), tail.remaining());
                    tail.put(data.slice(data.position(), take));
                    data.position(data.position() + take);
                }
            }
        }
        runOutsideLock(abortNow);
        drain();
    }

    @Override
    public void onEnd(boolean complete) {
        Runnable abortNow = null;
        synchronized (this) {
            if (failure != null || ended) {
                return;
            }
            if (complete) {
                ended = true;
            } else {
                abortNow = fail(new IOException("the client's body ended early"));
            }
        }
        runOutsideLock(abortNow);
        drain();
    }

    /**
     * The mirror request is over (answered, failed or cancelled) before its body was all handed
     * over: what still waits goes, and nothing more is taken from the shared budget.
     */
    void close() {
        synchronized (this) {
            if (failure == null) {
                discard();
                failure = new IOException("the mirror request is over");
                finished = true;
            }
        }
    }

    /** Drops what waits and gives its bytes back to the budget; called holding the lock. */
    private void discard() {
        queue.clear();
        tail = null;
        budget.give(queuedBytes);
        queuedBytes = 0;
    }

    /** Gives the copy up; returns what aborts the mirror request, to run once the lock is released. */
    private Runnable fail(Throwable why) {
        discard();
        failure = why;
        return abort;
    }

    /** Calls into the HTTP client never hold this lock: its threads take it to ask for more. */
    private static void runOutsideLock(Runnable action) {
        if (action != null) {
            action.run();
        }
    }

    /** What aborts the mirror request when its copy is given up (at once if it was already). */
    void onAbort(Runnable action) {
        boolean now;
        synchronized (this) {
            abort = action;
            now = failure != null;
        }
        if (now) {
            action.run();
        }
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        synchronized (this) {
            if (this.subscriber != null) {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override public void request(long n) {}
                    @Override public void cancel() {}
                });
                subscriber.onError(new IllegalStateException("the body of a mirror is sent once"));
                return;
            }
            this.subscriber = subscriber;
        }
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                synchronized (MirrorBody.this) {
                    demand = n <= 0 || demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                drain();
            }

            @Override
            public void cancel() {
                synchronized (MirrorBody.this) {
                    finished = true;
                    discard();
                }
            }
        });
        drain();
    }

    /** The next block to hand over, or null; called holding the lock. */
    private ByteBuffer poll() {
        ByteBuffer next = queue.poll();
        if (next == null && tail != null && tail.position() > 0) {
            next = tail.flip();
            tail = null;
        }
        if (next != null) {
            queuedBytes -= next.remaining();
            budget.give(next.remaining());
        }
        return next;
    }

    /**
     * Hands what is queued to the client as far as it asked; signals the end or the failure once.
     * One thread drains at a time (signals to a subscriber must not overlap); a call that finds
     * another draining leaves the work to it.
     */
    private void drain() {
        synchronized (this) {
            if (draining) {
                missed = true;
                return;
            }
            draining = true;
        }
        while (true) {
            ByteBuffer next = null;
            Throwable failed = null;
            boolean complete = false;
            Flow.Subscriber<? super ByteBuffer> to;
            synchronized (this) {
                to = subscriber;
                if (to == null || finished) {
                    draining = false;
                    return;
                }
                if (failure != null) {
                    failed = failure;
                    finished = true;
                } else if (demand > 0 && (next = poll()) != null) {
                    demand--;
                } else if (queuedBytes == 0 && ended) {
                    complete = true;
                    finished = true;
                } else if (missed) {
                    missed = false;
                    continue;
                } else {
                    draining = false;
                    return;
                }
            }
            if (failed != null) {
                to.onError(failed);
            } else if (complete) {
                to.onComplete();
            } else {
                to.onNext(next);
            }
        }
    }
}
