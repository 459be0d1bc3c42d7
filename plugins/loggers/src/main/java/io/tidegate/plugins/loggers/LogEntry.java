package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * One finished request's log entry: the values it needs, taken on the request's IO thread, and
 * the JSON made of them whenever it is written out. The batching loggers write it on their batch
 * thread, so the request's thread only copies a few references.
 */
abstract class LogEntry implements BatchProcessor.Entry {
    private static final JsonFactory FACTORY = new JsonFactory();
    /**
     * One generator per thread, kept from entry to entry: making one (its context, its buffers
     * from the recycler) cost a tenth of an entry. These threads are the batch threads.
     */
    private static final ThreadLocal<Utf8Writer> UTF8_WRITERS = ThreadLocal.withInitial(Utf8Writer::new);

    /** The fields of the entry's JSON object, straight to the generator (no tree: it runs for every request). */
    abstract void writeFields(JsonGenerator json) throws IOException;

    /** The entry as one JSON line, for a file. */
    final String line() {
        StringWriter text = new StringWriter(1024);
        try {
            write(FACTORY.createGenerator(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** The entry as UTF-8 JSON, for a batch that goes out as bytes: no String made only to be encoded later. */
    final byte[] utf8() {
        Utf8Writer writer = UTF8_WRITERS.get();
        try {
            return writer.bytesOf(this);
        } catch (IOException | RuntimeException e) {
            UTF8_WRITERS.remove(); // its generator stopped inside the entry: the next one starts afresh
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    @Override
    public final byte[] bytes() {
        return utf8();
    }

    /** Straight into the batch's payload: no array of its own, no copy to join it to the others. */
    @Override
    public final void writeTo(BatchBytes out) {
        Utf8Writer writer = UTF8_WRITERS.get();
        try {
            writer.writeInto(this, out);
        } catch (IOException | RuntimeException e) {
            UTF8_WRITERS.remove();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private void write(JsonGenerator generator) throws IOException {
        try (JsonGenerator json = generator) {
            writeObject(json);
        }
    }

    private void writeObject(JsonGenerator json) throws IOException {
        json.writeStartObject();
        writeFields(json);
        json.writeEndObject();
    }

    /**
     * A generator writing one entry after another, each taken out as an array of exactly its bytes
     * or appended to a batch's payload.
     */
    private static final class Utf8Writer {
        private final ExactBytes exact = new ExactBytes();
        /** Where the generator's buffer goes when flushed: the generator is made once, its output changes. */
        private final Redirect out = new Redirect(exact);
        private final JsonGenerator json;

        Utf8Writer() {
            try {
                json = FACTORY.createGenerator(out, JsonEncoding.UTF8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            json.setRootValueSeparator(null); // entries are separate values, not one stream
        }

        byte[] bytesOf(LogEntry entry) throws IOException {
            entry.writeObject(json);
            json.flush();
            return exact.take();
        }

        void writeInto(LogEntry entry, OutputStream batch) throws IOException {
            out.to = batch;
            try {
                entry.writeObject(json);
                json.flush();
            } finally {
                out.to = exact;
            }
        }
    }

    private static final class Redirect extends OutputStream {
        OutputStream to;

        Redirect(OutputStream to) {
            this.to = to;
        }

        @Override
        public void write(int b) throws IOException {
            to.write(b);
        }

        @Override
        public void write(byte[] source, int offset, int length) throws IOException {
            to.write(source, offset, length);
        }
    }
}
