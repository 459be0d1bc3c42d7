package io.tidegate.plugins.loggers;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A batch's payload as its entries are written into it, one after another: kept from batch to
 * batch by the processor's thread, so a batch costs one array of its exact size (what the sink
 * sends) instead of an array per entry and a second copy to join them.
 */
final class BatchBytes extends OutputStream {
    /** Beyond this (bodies in the entries), the buffer is let go after its batch rather than kept. */
    private static final int MOST_KEPT = 4 << 20;
    private byte[] bytes = new byte[64 << 10];
    private int size;

    @Override
    public void write(int b) {
        ensure(size + 1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] source, int offset, int length) {
        ensure(size + length);
        System.arraycopy(source, offset, bytes, size, length);
        size += length;
    }

    int size() {
        return size;
    }

    /** Drops what was written after the first {@code length} bytes (an entry that failed half way). */
    void truncate(int length) {
        size = length;
    }

    /** A copy of the bytes from {@code from} to {@code to}. */
    byte[] copy(int from, int to) {
        return Arrays.copyOfRange(bytes, from, to);
    }

    /** Empties it for the next batch. */
    void clear() {
        size = 0;
        if (bytes.length > MOST_KEPT) {
            bytes = new byte[64 << 10];
        }
    }

    private void ensure(int needed) {
        if (needed > bytes.length) {
            if (needed < 0) {
                throw new OutOfMemoryError("batch over 2 GiB");
            }
            bytes = Arrays.copyOf(bytes, Math.max(needed, (int) Math.min(Integer.MAX_VALUE - 8, bytes.length * 2L)));
        }
    }
}
