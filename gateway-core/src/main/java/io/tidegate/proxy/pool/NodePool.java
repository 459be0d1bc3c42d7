package io.tidegate.proxy.pool;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.xnio.IoFuture;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * The connections of one IO thread to one node: idle ones kept for reuse (newest first, up to
 * {@code maxIdle}, each for at most the idle timeout), and a cap on how many may be open at once.
 * A request that finds the cap reached waits, first in first out, for a connection to be released
 * or closed; it gives up on its own (its connect timeout) by cancelling its {@link Pending}.
 * Everything runs on the owning IO thread, so nothing is locked.
 */
final class NodePool {
    private final XnioIoThread thread;
    private final Connector connector;
    private final int maxIdle;
    private final int maxOpen;
    private final int maxRequests;
    private final long idleNanos;
    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    /** Open or opening connections, idle ones included: what the cap counts. */
    private int open;
    private boolean closed;
    private XnioExecutor.Key sweep;

    NodePool(XnioIoThread thread, Connector connector, int maxIdle, int maxOpen, int maxRequests, long idleMillis) {
        this.thread = thread;
        this.connector = connector;
        this.maxIdle = maxIdle;
        this.maxOpen = maxOpen;
        this.maxRequests = maxRequests;
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
    }

    /**
     * Hands an idle connection to {@code callback} at once, or opens one, or queues the request
     * when the node has {@code maxOpen} connections already. Returns the claim while it is pending,
     * null when the callback has already been called.
     */
    ConnectionPools.Claim acquire(ConnectionCallback callback) {
        UpstreamConnection reusable = pollIdle();
        if (reusable != null) {
            hand(reusable, callback);
            return null;
        }
        Pending pending = new Pending(callback);
        if (open < maxOpen) {
            connect(pending);
        } else {
            waiting.add(pending);
        }
        return pending;
    }

    int maxRequests() {
        return maxRequests;
    }

    /** Open connections, idle ones included. */
    int open() {
        return open;
    }

    int idle() {
        return idle.size();
    }

    private UpstreamConnection pollIdle() {
        UpstreamConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            if (connection.isOpen()) {
                return connection;
            }
        }
        return null;
    }

    private void hand(UpstreamConnection connection, ConnectionCallback callback) {
        connection.activate();
        callback.connected(connection);
    }

    private void connect(Pending pending) {
        open++;
        IoFuture<? extends StreamConnection> future = connector.open(thread);
        future.addNotifier((done, attachment) -> {
            if (Thread.currentThread() == thread) {
                connected(pending, done);
            } else {
                thread.execute(() -> connected(pending, done));
            }
        }, null);
    }

    private void connected(Pending pending, IoFuture<? extends StreamConnection> future) {
        IoFuture.Status status = future.getStatus();
        if (status == IoFuture.Status.DONE) {
            StreamConnection channel;
            try {
                channel = future.get();
            } catch (IOException e) {
                failed(pending, e);
                return;
            }
            UpstreamConnection connection = new UpstreamConnection(channel, this, connector.peer());
            if (pending.cancelled) {
                // its request gave up meanwhile; the fresh connection serves the next one
                connection.activate();
                release(connection, true);
            } else {
                pending.done = true;
                hand(connection, pending.callback);
            }
        } else if (status == IoFuture.Status.FAILED) {
            failed(pending, future.getException());
        } else {
            failed(pending, new IOException("connect cancelled"));
        }
    }

    private void failed(Pending pending, IOException cause) {
        open--;
        if (!pending.cancelled) {
            pending.done = true;
            pending.callback.failed(cause);
        }
        serveWaiting();
    }

    void release(UpstreamConnection connection, boolean reusable) {
        if (reusable && !closed && idle.size() < maxIdle && waiting.isEmpty()) {
            connection.idle(System.nanoTime());
            idle.addFirst(connection);
            scheduleSweep();
            return;
        }
        if (reusable && !waiting.isEmpty()) {
            Pending next = waiting.poll();
            next.done = true;
            connection.activate();
            next.callback.connected(connection);
            return;
        }
        connection.close(); // closed() counts it out and serves whoever waits
    }

    void detach(UpstreamConnection connection) {
        connection.orphan();
        open--;
        serveWaiting();
    }

    /** A connection closed (by either side); it no longer counts. */
    void closed(UpstreamConnection connection) {
        idle.remove(connection);
        open--;
        serveWaiting();
    }

    private void serveWaiting() {
        while (!waiting.isEmpty()) {
            UpstreamConnection reusable = pollIdle();
            if (reusable != null) {
                Pending next = waiting.poll();
                next.done = true;
                hand(reusable, next.callback);
            } else if (open < maxOpen) {
                connect(waiting.poll());
            } else {
                return;
            }
        }
    }

    private void scheduleSweep() {
        if (sweep == null) {
            long period = Math.max(50, TimeUnit.NANOSECONDS.toMillis(idleNanos) / 4);
            sweep = thread.executeAtInterval(this::closeExpired, period, TimeUnit.MILLISECONDS);
        }
    }

    private void closeExpired() {
        long now = System.nanoTime();
        // newest first: the expired ones sit at the end
        for (Iterator<UpstreamConnection> it = idle.descendingIterator(); it.hasNext(); ) {
            UpstreamConnection connection = it.next();
            if (now - connection.idleSince() < idleNanos) {
                break;
            }
            it.remove();
            connection.close();
        }
        if (idle.isEmpty() && sweep != null) {
            sweep.remove();
            sweep = null;
        }
    }

    /** No configuration uses this node any more: idle connections go; those in use close when released. */
    void close() {
        closed = true;
        UpstreamConnection connection;
        while ((connection = idle.pollFirst()) != null) {
            connection.close();
        }
        if (sweep != null) {
            sweep.remove();
            sweep = null;
        }
    }

    XnioIoThread thread() {
        return thread;
    }

    /** A request's claim on a connection; a connection that arrives after it was withdrawn serves others. */
    private final class Pending implements ConnectionPools.Claim {
        final ConnectionCallback callback;
        boolean cancelled;
        boolean done;

        Pending(ConnectionCallback callback) {
            this.callback = callback;
        }

        @Override
        public void cancel() {
            if (done || cancelled) {
                return;
            }
            cancelled = true;
            waiting.remove(this);
        }
    }
}
