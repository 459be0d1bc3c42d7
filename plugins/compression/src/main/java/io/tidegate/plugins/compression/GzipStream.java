package io.tidegate.plugins.compression;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One response compressed as it streams: the gzip header with the first chunk, each chunk deflated
 * and flushed (so a streamed response reaches the client as it comes, as nginx's gzip with its
 * buffers does), the CRC and length trailer with the last. The deflater's native memory is freed
 * at the end.
 */
final class GzipStream {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private final byte[] buffer = new byte[8192];
    private boolean started;
    private long length;

    GzipStream(int level) {
        this.deflater = new Deflater(level, true);
    }

    ByteBuffer next(ByteBuffer chunk, boolean last) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, chunk.remaining() / 2));
        if (!started) {
            out.write(HEADER, 0, HEADER.length);
            started = true;
        }
        byte[] input = new byte[chunk.remaining()];
        chunk.get(input);
        crc.update(input);
        length += input.length;
        deflater.setInput(input);
        if (last) {
            deflater.finish();
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            long sum = crc.getValue();
            for (long value : new long[] {sum, length}) {
                for (int i = 0; i < 4; i++) {
                    out.write((int) (value >>> (8 * i)) & 0xff);
                }
            }
            deflater.end();
        } else if (input.length > 0) {
            int n;
            do {
                n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                out.write(buffer, 0, n);
            } while (n == buffer.length);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    /** Frees the deflater when the response ends before its last chunk (the client went away). */
    void abandon() {
        deflater.end();
    }
}
