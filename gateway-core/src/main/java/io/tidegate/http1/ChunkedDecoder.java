package io.tidegate.http1;

import java.nio.ByteBuffer;

/**
 * Reads the chunked framing of an upstream body (RFC 9112 section 7.1) in place, strictly: a
 * chunk size is hexadecimal digits (bounded, so it cannot overflow), optionally followed by
 * extensions, then CRLF (or a bare LF); chunk data must be followed by CRLF; the trailer section
 * is read and dropped, within {@code maxTrailerBytes}. Anything else is a broken upstream.
 */
public final class ChunkedDecoder {
    private static final long MAX_CHUNK = Long.MAX_VALUE >> 4;
    private static final int SIZE_FIRST = 0;
    private static final int SIZE = 1;
    private static final int EXTENSION = 2;
    private static final int SIZE_LF = 3;
    private static final int DATA = 4;
    private static final int DATA_CR = 5;
    private static final int DATA_LF = 6;
    private static final int TRAILER_START = 7;
    private static final int TRAILER_LINE = 8;
    private static final int TRAILER_END_LF = 9;
    private static final int DONE = 10;

    private final int maxTrailerBytes;
    private int state = SIZE_FIRST;
    private long remaining;
    private int trailerBytes;

    public ChunkedDecoder(int maxTrailerBytes) {
        this.maxTrailerBytes = maxTrailerBytes;
    }

    /**
     * Consumes framing bytes from {@code in} up to the next chunk data. Returns how many data bytes
     * start at {@code in.position()} (the caller passes them on and advances the position, telling
     * {@link #consumed}), 0 when more input is needed, -1 once the body has ended.
     */
    public long next(ByteBuffer in) throws UpstreamProtocolException {
        while (true) {
            if (state == DONE) {
                return -1;
            }
            if (state == DATA) {
                return Math.min(remaining, in.remaining());
            }
            if (!in.hasRemaining()) {
                return 0;
            }
            step(in.get());
        }
    }

    /** {@code n} data bytes were passed on. */
    public void consumed(long n) {
        remaining -= n;
        if (remaining == 0 && state == DATA) {
            state = DATA_CR;
        }
    }

    public boolean done() {
        return state == DONE;
    }

    private void step(byte b) throws UpstreamProtocolException {
        switch (state) {
            case SIZE_FIRST, SIZE -> {
                int digit = Character.digit(b, 16);
                if (digit >= 0) {
                    if (remaining > MAX_CHUNK) {
                        throw new UpstreamProtocolException("upstream sent a chunk size that is too large");
                    }
                    remaining = remaining << 4 | digit;
                    state = SIZE;
                } else if (state == SIZE_FIRST) {
                    throw new UpstreamProtocolException("upstream sent an invalid chunk size");
                } else {
                    endOfSize(b);
                }
            }
            case EXTENSION -> {
                if (b == '\r') {
                    state = SIZE_LF;
                } else if (b == '\n') {
                    chunkHeadDone();
                } else if (b != '\t' && (b < 0x20 || b == 0x7f)) {
                    throw new UpstreamProtocolException("upstream sent a control character in a chunk extension");
                }
            }
            case SIZE_LF -> {
                if (b != '\n') {
                    throw new UpstreamProtocolException("upstream sent a bare CR after a chunk size");
                }
                chunkHeadDone();
            }
            case DATA_CR -> {
                if (b == '\r') {
                    state = DATA_LF;
                } else if (b == '\n') {
                    state = SIZE_FIRST;
                } else {
                    throw new UpstreamProtocolException("upstream sent chunk data longer than its size");
                }
            }
            case DATA_LF -> {
                if (b != '\n') {
                    throw new UpstreamProtocolException("upstream sent a bare CR after chunk data");
                }
                state = SIZE_FIRST;
            }
            case TRAILER_START -> {
                if (b == '\r') {
                    state = TRAILER_END_LF;
                } else if (b == '\n') {
                    state = DONE;
                } else {
                    trailer();
                    state = TRAILER_LINE;
                }
            }
            case TRAILER_LINE -> {
                trailer();
                if (b == '\n') {
                    state = TRAILER_START;
                }
            }
            case TRAILER_END_LF -> {
                if (b != '\n') {
                    throw new UpstreamProtocolException("upstream sent a bare CR in the trailer section");
                }
                state = DONE;
            }
            default -> throw new IllegalStateException("state " + state);
        }
    }

    private void endOfSize(byte b) throws UpstreamProtocolException {
        if (b == ';' || b == ' ' || b == '\t') {
            state = EXTENSION;
        } else if (b == '\r') {
            state = SIZE_LF;
        } else if (b == '\n') {
            chunkHeadDone();
        } else {
            throw new UpstreamProtocolException("upstream sent an invalid chunk size");
        }
    }

    private void chunkHeadDone() {
        state = remaining == 0 ? TRAILER_START : DATA;
    }

    private void trailer() throws UpstreamProtocolException {
        if (++trailerBytes > maxTrailerBytes) {
            throw new UpstreamProtocolException("upstream sent a trailer section larger than " + maxTrailerBytes + " bytes");
        }
    }
}
