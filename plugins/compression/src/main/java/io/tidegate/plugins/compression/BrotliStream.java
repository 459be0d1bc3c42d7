package io.tidegate.plugins.compression;

import com.aayushatharva.brotli4j.encoder.Encoder;
import com.aayushatharva.brotli4j.encoder.EncoderJNI;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One response compressed as it streams through brotli's native encoder. A chunk is copied into
 * the encoder's own (native) input buffer a slice at a time; what the encoder has ready comes out
 * with the chunk: all of it at the chunk's end when the body is streamed (a brotli flush), else as
 * much as the encoder chose to emit. The last chunk finishes the stream and frees the encoder's
 * native memory, which {@link #abandon()} frees for a response cut short.
 */
final class BrotliStream implements EncodingStream {
    /** Bytes handed to the encoder per push: above the gateway's usual chunk, so most chunks take one. */
    private static final int INPUT_BUFFER = 32 * 1024;

    /** brotli's own knobs, as the configuration gives them. */
    record Parameters(int quality, int lgwin, int mode) {}

    private final EncoderJNI.Wrapper encoder;
    private final EncoderJNI.Operation chunkEnd;
    private boolean released;

    BrotliStream(Parameters parameters, boolean streamed) throws IOException {
        this.encoder = new EncoderJNI.Wrapper(INPUT_BUFFER, parameters.quality(), parameters.lgwin(),
                Encoder.Mode.of(parameters.mode()));
        this.chunkEnd = streamed ? EncoderJNI.Operation.FLUSH : EncoderJNI.Operation.PROCESS;
    }

    @Override
    public ByteBuffer next(ByteBuffer chunk, boolean last) {
        GrowingBuffer out = new GrowingBuffer(chunk.remaining() / 2 + 64);
        if (!chunk.hasRemaining() && !last) {
            return out.written();
        }
        do {
            ByteBuffer input = encoder.getInputBuffer();
            input.clear();
            int length = Math.min(input.remaining(), chunk.remaining());
            input.put(chunk.slice().limit(length));
            chunk.position(chunk.position() + length);
            EncoderJNI.Operation operation = chunk.hasRemaining() ? EncoderJNI.Operation.PROCESS
                    : last ? EncoderJNI.Operation.FINISH : chunkEnd;
            run(operation, length, out);
        } while (chunk.hasRemaining());
        if (last) {
            abandon();
        }
        return out.written();
    }

    /**
     * Pushes {@code length} input bytes with {@code operation}, then drains the encoder: it takes
     * input only once its output is pulled, and may need further pushes to take all of it.
     */
    private void run(EncoderJNI.Operation operation, int length, GrowingBuffer out) {
        boolean pushed = false;
        while (true) {
            if (!encoder.isSuccess()) {
                throw new IllegalStateException("the brotli encoder failed");
            }
            if (encoder.hasMoreOutput()) {
                out.put(encoder.pull());  // a view of native memory, valid until the next push: copied now
            } else if (encoder.hasRemainingInput()) {
                encoder.push(operation, 0);
            } else if (!pushed) {
                encoder.push(operation, length);
                pushed = true;
            } else {
                return;
            }
        }
    }

    @Override
    public void abandon() {
        if (!released) {
            released = true;
            encoder.destroy();
        }
    }
}
