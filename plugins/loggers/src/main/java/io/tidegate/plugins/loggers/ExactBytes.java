package io.tidegate.plugins.loggers;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Collects what a JSON generator writes into an array of exactly that size. The generator buffers
 * a whole log entry and hands it over in one write on close, so the usual entry costs one array
 * and one copy, where a growing buffer would cost a spare block and a second copy per request.
 */
final class ExactBytes extends OutputStream {
    private static final byte[] NONE = new byte[0];
    private byte[] bytes = NONE;

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] source, int offset, int length) {
        int at = bytes.length;
        bytes = at == 0 ? Arrays.copyOfRange(source, offset, offset + length) : Arrays.copyOf(bytes, at + length);
        if (at > 0) {
            System.arraycopy(source, offset, bytes, at, length);
        }
    }

    byte[] toByteArray() {
        return bytes;
    }

    /** The bytes written so far, leaving this empty for the next value. */
    byte[] take() {
        byte[] taken = bytes;
        bytes = NONE;
        return taken;
    }
}
