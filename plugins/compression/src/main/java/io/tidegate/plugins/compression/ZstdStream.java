package io.tidegate.plugins.compression;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import java.nio.ByteBuffer;

/**
 * One response compressed as one zstd frame as it streams. Each chunk is compressed straight from
 * the body's buffer; what the context has ready comes out with it: all of it at the chunk's end
 * when the body is streamed (a zstd flush), else as much as the context chose to emit. The last
 * chunk ends the frame and gives the context back to the pool; {@link #abandon()} closes the
 * context of a response cut short.
 */
final class ZstdStream implements EncodingStream {
    /** Free room asked for before each call, so that every call can make progress. */
    private static final int MIN_ROOM = 4096;

    private final ZstdContextPool pool;
    private final int level;
    private final ZstdCompressCtx context;
    private final EndDirective chunkEnd;
    private boolean released;

    ZstdStream(ZstdContextPool pool, int level, boolean streamed) {
        this.pool = pool;
        this.level = level;
        this.context = pool.take(level);
        this.chunkEnd = streamed ? EndDirective.FLUSH : EndDirective.CONTINUE;
    }

    @Override
    public ByteBuffer next(ByteBuffer chunk, boolean last) {
        GrowingBuffer out = new GrowingBuffer(chunk.remaining() / 2 + 64);
        if (!chunk.hasRemaining() && !last) {
            return out.written();
        }
        ByteBuffer source = chunk.isDirect() || chunk.hasArray() ? chunk : copy(chunk);
        EndDirective directive = last ? EndDirective.END : chunkEnd;
        while (true) {
            boolean drained = context.compressByteBufferStream(out.room(MIN_ROOM), source, directive);
            // CONTINUE is done once the input is taken; FLUSH and END once their output is all out
            if (directive == EndDirective.CONTINUE ? !source.hasRemaining() : drained) {
                break;
            }
        }
        chunk.position(chunk.limit());
        if (last) {
            released = true;
            pool.give(level, context);
        }
        return out.written();
    }

    /** A read-only heap buffer exposes no array, and zstd-jni reads only arrays and direct memory. */
    private static ByteBuffer copy(ByteBuffer chunk) {
        return ByteBuffer.allocate(chunk.remaining()).put(chunk.duplicate()).flip();
    }

    @Override
    public void abandon() {
        if (!released) {
            released = true;
            context.close();
        }
    }
}
