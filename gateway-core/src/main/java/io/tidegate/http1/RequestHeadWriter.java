package io.tidegate.http1;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Writes an HTTP/1.1 request head for an upstream, checking every piece on the way: the method
 * and field names must be tokens, the target printable ASCII without spaces, field values free of
 * CR, LF, NUL and other control characters. A request that fails is never written at all, so a
 * value smuggled in through HTTP/2 or a plugin cannot become a header or request of its own.
 */
public final class RequestHeadWriter {
    private byte[] bytes = new byte[512];
    private int length;

    /** Something in the request cannot be written as HTTP/1.1. */
    public static final class InvalidRequestException extends Exception {
        public InvalidRequestException(String message) {
            super(message);
        }
    }

    public RequestHeadWriter requestLine(CharSequence method, CharSequence target) throws InvalidRequestException {
        if (!HttpSyntax.isToken(method)) {
            throw new InvalidRequestException("invalid method");
        }
        if (!HttpSyntax.isRequestTarget(target)) {
            throw new InvalidRequestException("invalid request target");
        }
        ascii(method);
        append((byte) ' ');
        ascii(target);
        ascii(" HTTP/1.1\r\n");
        return this;
    }

    public RequestHeadWriter field(CharSequence name, CharSequence value) throws InvalidRequestException {
        if (!HttpSyntax.isToken(name)) {
            throw new InvalidRequestException("invalid header name");
        }
        if (!HttpSyntax.isFieldValue(value)) {
            throw new InvalidRequestException("invalid value in header " + name);
        }
        ascii(name);
        append((byte) ':');
        append((byte) ' ');
        latin1(value);
        append((byte) '\r');
        append((byte) '\n');
        return this;
    }

    /**
     * The whole head, ending with the empty line; with {@code close}, a {@code Connection: close}
     * field is added first (the last request a pooled connection may carry). The writer stays
     * usable for another try, whose head replaces this one: the buffer returned shares the
     * writer's bytes (no copy per request), so only the latest try's head may still be in use.
     */
    public ByteBuffer finish(boolean close) {
        int fields = length;
        if (close) {
            ascii("Connection: close\r\n");
        }
        append((byte) '\r');
        append((byte) '\n');
        ByteBuffer head = ByteBuffer.wrap(bytes, 0, length);
        length = fields;
        return head;
    }

    private void ascii(CharSequence s) {
        latin1(s);
    }

    private void latin1(CharSequence s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) s.charAt(i);
        }
    }

    private void append(byte b) {
        ensure(1);
        bytes[length++] = b;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
