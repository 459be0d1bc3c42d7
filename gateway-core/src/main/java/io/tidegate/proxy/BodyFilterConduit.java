package io.tidegate.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.ConduitWritableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSinkConduit;

/**
 * Passes each chunk of the response body through the body filters before it is written. A
 * filter's output that the socket cannot take at once is held and written first on the next call,
 * so the writer's flow control stays intact. The end of the body reaches the filters as a final
 * call with {@code last = true}.
 */
final class BodyFilterConduit extends AbstractStreamSinkConduit<StreamSinkConduit> {
    /** The body filters of one exchange: chunk in, chunk out. */
    @FunctionalInterface
    interface Filter {
        ByteBuffer apply(ByteBuffer chunk, boolean last);
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private final Filter filter;
    private ByteBuffer pending;
    private boolean lastFiltered;
    private boolean terminateRequested;

    BodyFilterConduit(StreamSinkConduit next, Filter filter) {
        super(next);
        this.filter = filter;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!drainPending()) {
            return 0;
        }
        int consumed = src.remaining();
        if (consumed == 0) {
            return 0;
        }
        ByteBuffer out = filtered(src.slice(), false);
        src.position(src.limit());
        writeOrHold(out);
        return consumed;
    }

    /** The filters' output; a filter that failed ends the response with an IOException (the connection is cut). */
    private ByteBuffer filtered(ByteBuffer chunk, boolean last) throws IOException {
        try {
            return filter.apply(chunk, last);
        } catch (PluginPhasesHandler.BodyFilterFailure e) {
            throw new IOException("a body filter failed", e.getCause());
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
        long total = 0;
        for (int i = offs; i < offs + len; i++) {
            if (!srcs[i].hasRemaining()) {
                continue;
            }
            int written = write(srcs[i]);
            total += written;
            if (written == 0) {
                break;
            }
        }
        return total;
    }

    @Override
    public int writeFinal(ByteBuffer src) throws IOException {
        return Conduits.writeFinalBasic(this, src);
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
        return Conduits.writeFinalBasic(this, srcs, offs, len);
    }

    @Override
    public long transferFrom(FileChannel src, long position, long count) throws IOException {
        return src.transferTo(position, count, new ConduitWritableByteChannel(this));
    }

    @Override
    public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
        return Conduits.transfer(source, count, throughBuffer, this);
    }

    @Override
    public void terminateWrites() throws IOException {
        // the filters get their last call now; the next conduit ends once all of it is written
        terminateRequested = true;
        if (!lastFiltered) {
            lastFiltered = true;
            if (drainPending()) {
                writeOrHold(filtered(EMPTY, true));
            } else {
                ByteBuffer tail = filtered(EMPTY, true);
                pending = concat(pending, tail);
            }
        }
        if (drainPending()) {
            next.terminateWrites();
        }
    }

    @Override
    public boolean flush() throws IOException {
        if (!drainPending()) {
            return false;
        }
        if (terminateRequested && !next.isWriteShutdown()) {
            next.terminateWrites();
        }
        return next.flush();
    }

    private void writeOrHold(ByteBuffer out) throws IOException {
        while (out.hasRemaining()) {
            if (next.write(out) == 0) {
                pending = ByteBuffer.allocate(out.remaining()).put(out).flip();
                return;
            }
        }
    }

    /** Writes what is held; true when nothing is left held. */
    private boolean drainPending() throws IOException {
        while (pending != null && pending.hasRemaining()) {
            if (next.write(pending) == 0) {
                return false;
            }
        }
        pending = null;
        return true;
    }

    private static ByteBuffer concat(ByteBuffer a, ByteBuffer b) {
        ByteBuffer out = ByteBuffer.allocate(a.remaining() + b.remaining());
        return out.put(a).put(b).flip();
    }
}
