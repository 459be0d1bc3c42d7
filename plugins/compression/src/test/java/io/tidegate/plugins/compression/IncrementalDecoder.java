package io.tidegate.plugins.compression;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A client's decoder fed a compressed body piece by piece, giving back at once all that each piece
 * lets it decode: what proves a flush. (brotli4j's BrotliInputStream asks for more input first,
 * and treats the end of what has arrived so far as a truncated stream.)
 */
interface IncrementalDecoder {
    byte[] feed(byte[] compressed);

    static IncrementalDecoder brotli() {
        Brotli4jLoader.ensureAvailability();
        DecoderJNI.Wrapper decoder;
        try {
            decoder = new DecoderJNI.Wrapper(65536);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return compressed -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int offset = 0;
            do {
                ByteBuffer input = decoder.getInputBuffer();
                input.clear();
                int length = Math.min(input.remaining(), compressed.length - offset);
                input.put(compressed, offset, length);
                offset += length;
                decoder.push(length);
                while (true) {
                    DecoderJNI.Status status = decoder.getStatus();
                    if (status == DecoderJNI.Status.ERROR) {
                        throw new IllegalStateException("corrupt brotli stream");
                    } else if (status == DecoderJNI.Status.NEEDS_MORE_OUTPUT || decoder.hasOutput()) {
                        ByteBuffer decoded = decoder.pull();
                        byte[] bytes = new byte[decoded.remaining()];
                        decoded.get(bytes);
                        out.writeBytes(bytes);
                    } else if (status == DecoderJNI.Status.OK) {
                        decoder.push(0);
                    } else {
                        break;  // needs more input, or done
                    }
                }
            } while (offset < compressed.length);
            return out.toByteArray();
        };
    }

    static IncrementalDecoder zstd() {
        ZstdDecompressCtx decoder = new ZstdDecompressCtx();
        return compressed -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer input = ByteBuffer.wrap(compressed);
            ByteBuffer output = ByteBuffer.allocate(65536);
            boolean full;
            do {
                output.clear();
                decoder.decompressByteBufferStream(output, input);
                full = !output.hasRemaining();
                out.write(output.array(), 0, output.position());
            } while (input.hasRemaining() || full);
            return out.toByteArray();
        };
    }
}
