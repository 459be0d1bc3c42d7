package io.tidegate.proxy;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * Moves one body from a source channel to a sink channel as it arrives, through one pooled buffer,
 * and flushes whenever the source has nothing more for now: a streamed message (a gRPC message, a
 * server-sent event) leaves as soon as it came in, never held for a fuller buffer. Reading stops
 * while the sink cannot take more (back-pressure both ways). At the end of the source the sink is
 * shut down (for HTTP/2: the last DATA frame, or the trailers) and flushed. Runs on the IO thread
 * that owns both channels.
 */
final class StreamPump {
    /** What became of the body, for its owner. */
    interface Events {
        /** The first bytes were read from the source. */
        default void started() {}

        /**
         * The source has no more (its end was read); the sink is shut down next. Shutting it down
         * may complete what the sink belongs to (an exchange) before {@link #ended()} is called.
         */
        default void sourceEnded() {}

        /** The whole body is in the sink, which is shut down and flushed. */
        void ended();

        /** Reading the source failed. */
        void sourceFailed(IOException cause);

        /** Writing the sink failed. */
        void sinkFailed(IOException cause);
    }

    private final StreamSourceChannel source;
    private final StreamSinkChannel sink;
    private final ByteBufferPool buffers;
    private final Events events;
    private PooledByteBuffer pooled;
    private boolean sourceEnded;
    private boolean started;
    private boolean over;

    StreamPump(StreamSourceChannel source, StreamSinkChannel sink, ByteBufferPool buffers, Events events) {
        this.source = source;
        this.sink = sink;
        this.buffers = buffers;
        this.events = events;
    }

    void start() {
        source.getReadSetter().set(channel -> pump());
        sink.getWriteSetter().set(channel -> pump());
        pump();
    }

    /** Stops moving bytes, leaving both channels to their owner to close. */
    void stop() {
        if (!over) {
            over = true;
            source.suspendReads();
            sink.suspendWrites();
            free();
        }
    }

    private void pump() {
        if (over) {
            return;
        }
        try {
            while (true) {
                ByteBuffer buffer = pooled == null ? null : pooled.getBuffer();
                if (buffer != null && buffer.hasRemaining()) {
                    if (!write(buffer)) {
                        return;
                    }
                    continue;
                }
                if (sourceEnded) {
                    finish();
                    return;
                }
                if (!read()) {
                    return;
                }
            }
        } catch (SourceFailure e) {
            stop();
            events.sourceFailed(e.cause);
        } catch (IOException e) {
            stop();
            events.sinkFailed(e);
        }
    }

    /** Writes what the buffer holds; false when the sink is full (the pump waits for it). */
    private boolean write(ByteBuffer buffer) throws IOException {
        sink.write(buffer);
        if (buffer.hasRemaining()) {
            source.suspendReads();
            sink.resumeWrites();
            return false;
        }
        free();
        return true;
    }

    /** Reads into a fresh buffer; false when nothing is there now (the sink is flushed, the pump waits). */
    private boolean read() throws IOException {
        if (pooled == null) {
            pooled = buffers.allocate();
        }
        ByteBuffer buffer = pooled.getBuffer();
        buffer.clear();
        int read;
        try {
            read = source.read(buffer);
        } catch (IOException e) {
            throw new SourceFailure(e);
        }
        buffer.flip();
        if (read == -1) {
            sourceEnded = true;
            free();
            events.sourceEnded();
            return true;
        }
        if (read == 0) {
            free();
            if (!sink.flush()) {
                source.suspendReads();
                sink.resumeWrites();
                return false;
            }
            sink.suspendWrites();
            source.resumeReads();
            return false;
        }
        if (!started) {
            started = true;
            events.started();
        }
        return true;
    }

    private void finish() throws IOException {
        sink.shutdownWrites();
        if (!sink.flush()) {
            source.suspendReads();
            sink.resumeWrites();
            return;
        }
        over = true;
        sink.suspendWrites();
        source.suspendReads();
        events.ended();
    }

    private void free() {
        if (pooled != null) {
            pooled.close();
            pooled = null;
        }
    }

    /** A read failure, told apart from the sink's write failures on the way out of the loop. */
    private static final class SourceFailure extends IOException {
        final IOException cause;

        SourceFailure(IOException cause) {
            super(cause);
            this.cause = cause;
        }
    }
}
