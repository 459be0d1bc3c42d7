package io.tidegate.plugins.compression;

import java.nio.ByteBuffer;

/** One response's body being compressed as it passes, chunk by chunk. Used by one request at a time. */
interface EncodingStream {
    /**
     * Compresses {@code chunk} (all of it is taken) and returns what the encoder has ready: all of
     * it when the stream flushes each chunk or when {@code last} ends the body. After the last
     * chunk the stream has released what it held.
     */
    ByteBuffer next(ByteBuffer chunk, boolean last);

    /** Releases the encoder of a response that ended before its last chunk (the client went away). */
    void abandon();

    /** Opens the stream of one response. */
    @FunctionalInterface
    interface Factory {
        /**
         * @param streamed the body's length is unknown (no Content-Length): it may be waited on
         *                 piece by piece (events, long polls), so every chunk is flushed
         */
        EncodingStream open(boolean streamed) throws java.io.IOException;
    }
}
