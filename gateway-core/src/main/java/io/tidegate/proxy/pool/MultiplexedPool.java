package io.tidegate.proxy.pool;

import io.tidegate.upstream.NodeConnections;
import io.undertow.client.ClientConnection;
import io.undertow.connector.ByteBufferPool;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * HTTP/2 connections to one node ({@code scheme: grpc} over cleartext with prior knowledge,
 * {@code grpcs} over TLS with ALPN {@code h2}), per IO thread as {@link ConnectionPools.Pool} keeps
 * HTTP/1.1 ones. A connection carries many requests at once: a request takes a stream on the first
 * open connection with room (as many streams as the node's SETTINGS_MAX_CONCURRENT_STREAMS
 * allows), and a new connection is opened only when every one is full. A connection on which the
 * node refused a stream anyway (its SETTINGS were not there yet) takes no new stream and closes
 * once its streams end: Undertow counts a refused stream as open for good.
 */
public final class MultiplexedPool implements NodeConnections, AutoCloseable {
    /** How long opening a connection (TCP, TLS, ALPN) may take before the attempt is dropped. */
    private static final long OPEN_MILLIS = 10_000;

    private final Http2Connector connector;
    private final String peer;
    private final AtomicReferenceArray<ThreadShare> perThread;
    private final int maxOpen;
    private final long idleMillis;

    /**
     * @param maxOpen    connections one IO thread may have open to the node
     * @param idleMillis how long a connection with no stream stays open
     */
    MultiplexedPool(Http2Connector connector, String peer, int threads, int maxOpen, long idleMillis) {
        this.connector = connector;
        this.peer = peer;
        this.perThread = new AtomicReferenceArray<>(threads);
        this.maxOpen = maxOpen;
        this.idleMillis = idleMillis;
    }

    /** A stream's hold on a connection, given back with {@link #release()} when the stream is over. */
    public interface Lease {
        ClientConnection connection();

        /** Whether the connection carried a request before this one (a failure may be a stale connection). */
        boolean reused();

        /** The stream is over. */
        void release();

        /**
         * The node refused the stream as over its limit: the lease is given back and the connection
         * takes no new stream.
         */
        void full();
    }

    /** What the caller learns once a stream is available. */
    public interface StreamCallback {
        void ready(Lease lease);

        void failed(IOException cause);
    }

    /**
     * Asks for a stream on {@code thread} (the caller's IO thread). Returns a claim to withdraw
     * while it waits, or null when {@code callback} was already called.
     */
    public ConnectionPools.Claim acquire(XnioIoThread thread, ByteBufferPool buffers, StreamCallback callback) {
        return of(thread).acquire(buffers, callback);
    }

    @Override
    public String peer() {
        return peer;
    }

    /** Open connections on all threads; read from other threads, so approximate. */
    public int openConnections() {
        int total = 0;
        for (int i = 0; i < perThread.length(); i++) {
            ThreadShare share = perThread.get(i);
            total += share == null ? 0 : share.members.size();
        }
        return total;
    }

    private ThreadShare of(XnioIoThread thread) {
        int index = Math.floorMod(thread.getNumber(), perThread.length());
        ThreadShare share = perThread.get(index);
        if (share == null || share.thread != thread) {
            share = new ThreadShare(thread);  // only this thread writes its slot
            perThread.set(index, share);
        }
        return share;
    }

    @Override
    public void close() {
        for (int i = 0; i < perThread.length(); i++) {
            ThreadShare share = perThread.get(i);
            if (share != null) {
                try {
                    share.thread.execute(share::close);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // the IO thread is gone, and its connections with it
                }
            }
        }
    }

    /** One IO thread's connections to the node; touched only on that thread. */
    private final class ThreadShare {
        private final XnioIoThread thread;
        private final List<Member> members = new ArrayList<>();
        private final ArrayDeque<StreamCallback> waiting = new ArrayDeque<>();
        private int connecting;
        private boolean closed;

        ThreadShare(XnioIoThread thread) {
            this.thread = thread;
        }

        ConnectionPools.Claim acquire(ByteBufferPool buffers, StreamCallback callback) {
            Member member = withRoom();
            if (member != null) {
                callback.ready(member.lease());
                return null;
            }
            waiting.add(callback);
            if (connecting == 0 && members.size() < maxOpen) {
                connect(buffers);
            }
            return () -> waiting.remove(callback);
        }

        private Member withRoom() {
            for (Member member : members) {
                if (!member.retired && member.connection.isOpen() && member.active < member.limit()) {
                    return member;
                }
            }
            return null;
        }

        private void connect(ByteBufferPool buffers) {
            connecting++;
            XnioExecutor.Key[] deadline = new XnioExecutor.Key[1];
            Http2Connector.Attempt attempt = connector.connect(thread, buffers, new Http2Connector.Opened() {
                @Override
                public void opened(ClientConnection connection, io.undertow.protocols.http2.Http2Channel channel) {
                    connecting--;
                    cancel(deadline[0]);
                    if (closed) {
                        IoUtils.safeClose(connection);
                        return;
                    }
                    Member member = new Member(ThreadShare.this, connection, channel);
                    members.add(member);
                    connection.getCloseSetter().set(c -> gone(member));
                    serveWaiting(buffers);
                }

                @Override
                public void failed(IOException cause) {
                    connecting--;
                    cancel(deadline[0]);
                    // every waiter meets the same node; each decides whether to try another
                    List<StreamCallback> failed = new ArrayList<>(waiting);
                    waiting.clear();
                    failed.forEach(callback -> callback.failed(cause));
                }
            });
            deadline[0] = thread.executeAfter(attempt::cancel, OPEN_MILLIS, TimeUnit.MILLISECONDS);
        }

        private static void cancel(XnioExecutor.Key key) {
            if (key != null) {
                key.remove();
            }
        }

        private void serveWaiting(ByteBufferPool buffers) {
            while (!waiting.isEmpty()) {
                Member member = withRoom();
                if (member == null) {
                    if (connecting == 0 && members.size() < maxOpen) {
                        connect(buffers);
                    }
                    return;
                }
                waiting.poll().ready(member.lease());
            }
        }

        private void released(Member member) {
            if (member.retired) {
                if (member.active == 0) {
                    IoUtils.safeClose(member.connection);
                }
            } else if (!waiting.isEmpty() && member.connection.isOpen()) {
                waiting.poll().ready(member.lease());
            } else if (member.active == 0) {
                member.idleSince();
            }
        }

        private void gone(Member member) {
            members.remove(member);
            member.cancelIdle();
        }

        void close() {
            closed = true;
            new ArrayList<>(members).forEach(member -> IoUtils.safeClose(member.connection));
            members.clear();
        }
    }

    /** One connection and the streams it carries. */
    private final class Member {
        private final ThreadShare share;
        private final ClientConnection connection;
        private final io.undertow.protocols.http2.Http2Channel channel;
        private int active;
        /** The node refused a stream on it: it takes none more and closes when its streams end. */
        private boolean retired;
        private int carried;
        private XnioExecutor.Key idleTimer;

        Member(ThreadShare share, ClientConnection connection, io.undertow.protocols.http2.Http2Channel channel) {
            this.share = share;
            this.connection = connection;
            this.channel = channel;
        }

        /** The streams the node allows at once (its SETTINGS; unlimited until they arrive). */
        int limit() {
            int advertised = channel.getSendMaxConcurrentStreams();
            return advertised > 0 ? advertised : Integer.MAX_VALUE;
        }

        /** Takes one stream. */
        Lease lease() {
            active++;
            cancelIdle();
            return new StreamLease(this, carried++ > 0);
        }

        void idleSince() {
            if (idleMillis > 0 && idleTimer == null) {
                idleTimer = share.thread.executeAfter(() -> {
                    idleTimer = null;
                    if (active == 0) {
                        IoUtils.safeClose(connection);
                    }
                }, idleMillis, TimeUnit.MILLISECONDS);
            }
        }

        void cancelIdle() {
            if (idleTimer != null) {
                idleTimer.remove();
                idleTimer = null;
            }
        }

        void released() {
            active--;
            share.released(this);
        }

        void refused() {
            active--;
            retired = true;
            share.released(this);
        }
    }

    /** One stream's lease: released once, whatever the caller does twice. */
    private static final class StreamLease implements Lease {
        private final Member member;
        private final boolean reused;
        private boolean returned;

        StreamLease(Member member, boolean reused) {
            this.member = member;
            this.reused = reused;
        }

        @Override
        public ClientConnection connection() {
            return member.connection;
        }

        @Override
        public boolean reused() {
            return reused;
        }

        @Override
        public void release() {
            if (!returned) {
                returned = true;
                member.released();
            }
        }

        @Override
        public void full() {
            if (!returned) {
                returned = true;
                member.refused();
            }
        }
    }
}
