package io.tidegate.testing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;

/** One HTTP/2 frame (RFC 9113 section 4.1): read from and written to a byte stream as it is. */
record H2Frame(int type, int flags, int streamId, byte[] payload) {
    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PUSH_PROMISE = 0x5;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int WINDOW_UPDATE = 0x8;
    static final int CONTINUATION = 0x9;

    static final int END_STREAM = 0x1;
    static final int ACK = 0x1;
    static final int END_HEADERS = 0x4;
    static final int PADDED = 0x8;
    static final int PRIORITY = 0x20;

    /** Our SETTINGS_MAX_FRAME_SIZE is never raised, so no frame may be larger than the default. */
    static final int MAX_PAYLOAD = 16_384;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The next frame, or null at a clean end of the stream between frames. */
    static H2Frame read(DataInputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int length = (first << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        if (length > MAX_PAYLOAD) {
            throw new IOException("frame of " + length + " bytes is over our SETTINGS_MAX_FRAME_SIZE");
        }
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int streamId = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            throw new IOException("connection ended inside a frame", e);
        }
        return new H2Frame(type, flags, streamId, payload);
    }

    void write(OutputStream out) throws IOException {
        int length = payload.length;
        out.write(length >>> 16);
        out.write(length >>> 8);
        out.write(length);
        out.write(type);
        out.write(flags);
        out.write(streamId >>> 24);
        out.write(streamId >>> 16);
        out.write(streamId >>> 8);
        out.write(streamId);
        out.write(payload);
    }

    /** The payload without padding (and, for HEADERS, without the priority fields). */
    byte[] content() {
        int start = 0;
        int end = payload.length;
        if (has(PADDED) && (type == DATA || type == HEADERS)) {
            start = 1;
            end -= payload[0] & 0xff;
        }
        if (type == HEADERS && has(PRIORITY)) {
            start += 5;
        }
        byte[] out = new byte[Math.max(0, end - start)];
        System.arraycopy(payload, start, out, 0, out.length);
        return out;
    }

    static int int32(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xff) << 24) | ((bytes[offset + 1] & 0xff) << 16)
                | ((bytes[offset + 2] & 0xff) << 8) | (bytes[offset + 3] & 0xff);
    }

    static byte[] int32s(long... values) {
        byte[] out = new byte[values.length * 4];
        for (int i = 0; i < values.length; i++) {
            long v = values[i];
            out[i * 4] = (byte) (v >>> 24);
            out[i * 4 + 1] = (byte) (v >>> 16);
            out[i * 4 + 2] = (byte) (v >>> 8);
            out[i * 4 + 3] = (byte) v;
        }
        return out;
    }
}
