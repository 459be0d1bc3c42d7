package io.tidegate.plugins.tracing;

import java.util.Arrays;

/**
 * Protocol Buffers wire format into one growable array, kept and reused batch after batch. A
 * nested message is written in place and its length put in front of it when it ends (moving it
 * only when the length takes more than the one byte reserved), so nothing is sized twice.
 */
final class ProtoWriter {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH = 2;
    private static final int FIXED32 = 5;

    private byte[] bytes;
    private int size;

    ProtoWriter(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    void reset() {
        size = 0;
    }

    byte[] array() {
        return bytes;
    }

    int size() {
        return size;
    }

    /** Starts a message in field {@code field}; pass what it returns to {@link #end}. */
    int begin(int field) {
        tag(field, LENGTH);
        ensure(1);
        size++;  // one byte for a length under 128; end() makes room when it is longer
        return size;
    }

    void end(int start) {
        int length = size - start;
        int extra = varintSize(length) - 1;
        if (extra > 0) {
            ensure(extra);
            System.arraycopy(bytes, start, bytes, start + extra, length);
            size += extra;
        }
        int at = start - 1;
        int value = length;
        while ((value & ~0x7F) != 0) {
            bytes[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[at] = (byte) value;
    }

    /** A string field; omitted when null or empty, as proto3 omits a default. */
    void string(int field, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        tag(field, LENGTH);
        utf8(value);
    }

    /**
     * A length and the UTF-8 text. Short ASCII text, as nearly every key and value of a span is,
     * is copied in one pass with nothing allocated; other text goes through the JDK's encoder.
     */
    private void utf8(String value) {
        int length = value.length();
        if (length < 128) {
            ensure(length + 1);
            int start = size;
            bytes[size++] = (byte) length;
            for (int i = 0; i < length; i++) {
                char c = value.charAt(i);
                if (c >= 0x80) {
                    size = start;
                    bytes(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    return;
                }
                bytes[size++] = (byte) c;
            }
            return;
        }
        bytes(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A string field written even when empty (an attribute's value, where empty is a value). */
    void stringAlways(int field, String value) {
        if (value.isEmpty()) {
            tag(field, LENGTH);
            varint(0);
        } else {
            string(field, value);
        }
    }

    /** A bytes field given as hex text (a trace or span id), decoded as it is written. */
    void hexField(int field, String hex) {
        int length = hex.length() / 2;
        tag(field, LENGTH);
        varint(length);
        ensure(length);
        for (int i = 0; i < length; i++) {
            bytes[size++] = (byte) (nibble(hex.charAt(2 * i)) << 4 | nibble(hex.charAt(2 * i + 1)));
        }
    }

    /** A hex digit's value; the ids come validated from SpanContext, so the digit is 0-9, a-f or A-F. */
    private static int nibble(char digit) {
        return digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10;
    }

    private void bytes(byte[] value) {
        varint(value.length);
        ensure(value.length);
        System.arraycopy(value, 0, bytes, size, value.length);
        size += value.length;
    }

    /** An int32/int64/uint32/enum/bool field as a varint; omitted when 0. */
    void varintField(int field, long value) {
        if (value != 0) {
            tag(field, VARINT);
            varint(value);
        }
    }

    /** Written even when 0 or false (a oneof member, where the field's presence is the value's). */
    void varintAlways(int field, long value) {
        tag(field, VARINT);
        varint(value);
    }

    void fixed64(int field, long value) {
        tag(field, FIXED64);
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
    }

    void fixed32(int field, int value) {
        tag(field, FIXED32);
        ensure(4);
        for (int i = 0; i < 4; i++) {
            bytes[size++] = (byte) (value >>> (8 * i));
        }
    }

    private void tag(int field, int wireType) {
        varint((long) field << 3 | wireType);
    }

    private void varint(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
    }

    private static int varintSize(int value) {
        int n = 1;
        while ((value & ~0x7F) != 0) {
            value >>>= 7;
            n++;
        }
        return n;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
