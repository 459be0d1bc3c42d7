package io.tidegate.plugins.traffic;

import io.tidegate.plugin.api.RequestBodyTap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;

/**
 * The copy of one request body on its way to the mirror: fed by the gateway as the body streams
 * to the upstream ({@link RequestBodyTap}), drained by the HTTP client as the mirror takes it. At
 * most {@code maxQueued} bytes wait here: a mirror slower than the client loses its copy (the
 * mirror request is aborted) rather than hold the body in memory or slow the client down.
 */
final class MirrorBody implements RequestBodyTap, Flow.Publisher<ByteBuffer> {
    private final int maxQueued;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private int queuedBytes;
    private long demand;
    private boolean ended;
    private Throwable failure;
    private boolean finished;
    private boolean draining;
    private boolean missed;
    private Flow.Subscriber<? super ByteBuffer> subscriber;

    MirrorBody(int maxQueued) {
        this.maxQueued = maxQueued;
    }

    @Override
    public void onData(ByteBuffer data) {
        synchronized (this) {
            if (failure != null || ended) {
                return;
            }
            if (queuedBytes + data.remaining() > maxQueued) {
                queue.clear();
                queuedBytes = 0;
                failure = new IOException("the mirror took the body slower than the client sent it");
            } else {
                ByteBuffer copy = ByteBuffer.allocate(data.remaining());
                copy.put(data).flip();
                queue.add(copy);
                queuedBytes += copy.remaining();
            }
        }
        drain();
    }

    @Override
    public void onEnd(boolean complete) {
        synchronized (this) {
            if (failure != null || ended) {
                return;
            }
            if (complete) {
                ended = true;
            } else {
                queue.clear();
                queuedBytes = 0;
                failure = new IOException("the client's body ended early");
            }
        }
        drain();
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
                    queue.clear();
                    queuedBytes = 0;
                }
            }
        });
        drain();
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
                } else if (!queue.isEmpty() && demand > 0) {
                    next = queue.poll();
                    queuedBytes -= next.remaining();
                    demand--;
                } else if (queue.isEmpty() && ended) {
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
