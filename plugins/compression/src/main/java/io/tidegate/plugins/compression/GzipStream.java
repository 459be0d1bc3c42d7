package io.tidegate.plugins.compression;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One response compressed as it streams: the gzip header with the first chunk, each chunk deflated
 * straight from the body's buffer, the CRC and length trailer with the last. A body of unknown
 * length is flushed chunk by chunk, so a streamed response (events, long polls) reaches the client
 * as it comes; one of known length is deflated in one run, as it is not waited on piece by piece.
 * The deflater comes from a pool and goes back to it; one whose response ended early is ended.
 */
final class GzipStream implements EncodingStream {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final Deflater deflater;
    private final DeflaterPool pool;
    private final int level;
    private final int flush;
    private final CRC32 crc = new CRC32();
    private boolean started;
    private long length;

    GzipStream(DeflaterPool pool, int level, boolean streamed) {
        this.pool = pool;
        this.level = level;
        this.flush = streamed ? Deflater.SYNC_FLUSH : Deflater.NO_FLUSH;
        this.deflater = pool.take(level);
    }

    @Override
    public ByteBuffer next(ByteBuffer chunk, boolean last) {
        int size = chunk.remaining();
        ByteBuffer out = ByteBuffer.allocate(size / 2 + 64 + (started ? 0 : HEADER.length));
        if (!started) {
            out.put(HEADER);
            started = true;
        }
        crc.update(chunk.duplicate());
        length += size;
        deflater.setInput(chunk);
        if (last) {
            deflater.finish();
            while (!deflater.finished()) {
                out = room(out);
                deflater.deflate(out);
            }
            out = room(out);
            int sum = (int) crc.getValue();
            int isize = (int) length;
            for (int value : new int[] {sum, isize}) {
                out.put((byte) value).put((byte) (value >>> 8)).put((byte) (value >>> 16)).put((byte) (value >>> 24));
            }
            pool.give(level, deflater);
        } else {
            while (!deflater.needsInput() || flush == Deflater.SYNC_FLUSH) {
                out = room(out);
                int before = out.position();
                deflater.deflate(out, flush);
                if (out.hasRemaining() && (deflater.needsInput() || out.position() == before)) {
                    break;  // all input taken and, when flushing, all of it written out
                }
            }
        }
        chunk.position(chunk.limit());
        return out.flip();
    }

    /** {@code out}, or a copy twice its size when fewer than 64 bytes are left. */
    private static ByteBuffer room(ByteBuffer out) {
        if (out.remaining() >= 64) {
            return out;
        }
        ByteBuffer bigger = ByteBuffer.allocate(out.capacity() * 2);
        return bigger.put(out.flip());
    }

    /** Frees the deflater when the response ends before its last chunk (the client went away). */
    @Override
    public void abandon() {
        deflater.end();
    }
}
