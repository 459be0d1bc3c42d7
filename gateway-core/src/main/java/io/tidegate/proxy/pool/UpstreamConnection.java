package io.tidegate.proxy.pool;

import java.nio.ByteBuffer;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * One connection to an upstream node, owned by the IO thread that opened it. The gateway writes
 * and reads raw bytes on it (the HTTP/1.1 framing is its own), so closing it never completes a
 * request on the gateway's behalf: a request cut short stays cut short for the upstream too.
 */
public final class UpstreamConnection {
    private final StreamConnection channel;
    private final NodePool pool;
    private final String peer;
    private int requests;
    private long idleSince;
    private boolean closed;
    private boolean detached;

    UpstreamConnection(StreamConnection channel, NodePool pool, String peer) {
        this.channel = channel;
        this.pool = pool;
        this.peer = peer;
        channel.setCloseListener(c -> closed());
    }

    public ConduitStreamSourceChannel source() {
        return channel.getSourceChannel();
    }

    public ConduitStreamSinkChannel sink() {
        return channel.getSinkChannel();
    }

    /** The raw connection, for a protocol upgrade (WebSocket) that takes it over. */
    public StreamConnection channel() {
        return channel;
    }

    /** {@code host:port} of the node, for logs. */
    public String peer() {
        return peer;
    }

    /** Whether an earlier request used this connection (an idle one the node may have closed meanwhile). */
    public boolean reused() {
        return requests > 1;
    }

    /**
     * Whether this is the last request the pool's {@code keepalive_pool.requests} allows on it;
     * the request should then ask the node to close ({@code Connection: close}).
     */
    public boolean lastAllowed() {
        return requests >= pool.maxRequests();
    }

    public boolean isOpen() {
        return !closed && channel.isOpen();
    }

    /**
     * Hands the connection back: kept for another request when {@code reusable} (the response was
     * read to its end, nothing is pending), otherwise closed.
     */
    public void release(boolean reusable) {
        pool.release(this, reusable && isOpen() && !lastAllowed());
    }

    /** Takes the connection out of the pool for good (an upgraded connection); it no longer counts against its limits. */
    public void detach() {
        pool.detach(this);
    }

    /** Closes at once, without finishing anything the gateway was writing. */
    public void close() {
        IoUtils.safeClose(channel);
    }

    void activate() {
        requests++;
        source().getReadSetter().set(null);
        source().suspendReads();
    }

    void idle(long now) {
        idleSince = now;
        sink().getWriteSetter().set(null);
        sink().suspendWrites();
        // an idle connection must stay silent; data or end of stream means the node is done with it
        source().getReadSetter().set((ChannelListener<ConduitStreamSourceChannel>) c -> probeIdle());
        source().resumeReads();
    }

    long idleSince() {
        return idleSince;
    }

    private void probeIdle() {
        try {
            if (source().read(ByteBuffer.allocate(64)) != 0) {
                close();
            }
        } catch (java.io.IOException e) {
            close();
        }
    }

    /** Out of the pool's accounting from now on. */
    void orphan() {
        detached = true;
    }

    private void closed() {
        if (!closed) {
            closed = true;
            if (!detached) {
                pool.closed(this);
            }
        }
    }

    @Override
    public String toString() {
        return "connection to " + peer;
    }
}
