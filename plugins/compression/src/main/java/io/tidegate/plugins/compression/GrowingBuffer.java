package io.tidegate.plugins.compression;

import java.nio.ByteBuffer;

/** The compressed output of one chunk: a heap buffer that doubles when an encoder needs more room. */
final class GrowingBuffer {
    private ByteBuffer buffer;

    GrowingBuffer(int initialCapacity) {
        buffer = ByteBuffer.allocate(Math.max(initialCapacity, 64));
    }

    /** The buffer to write into directly, with at least {@code room} bytes free. */
    ByteBuffer room(int room) {
        if (buffer.remaining() < room) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + room));
            buffer = bigger.put(buffer.flip());
        }
        return buffer;
    }

    void put(ByteBuffer bytes) {
        room(bytes.remaining()).put(bytes);
    }

    /** What was written, ready to be read. */
    ByteBuffer written() {
        return buffer.flip();
    }
}
