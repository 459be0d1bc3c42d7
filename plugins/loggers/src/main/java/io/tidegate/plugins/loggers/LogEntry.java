package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * One finished request's log entry: the values it needs, taken on the request's IO thread, and
 * the JSON made of them whenever it is written out. The batching loggers write it on their batch
 * thread, so the request's thread only copies a few references.
 */
abstract class LogEntry {
    private static final JsonFactory FACTORY = new JsonFactory();

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
        ExactBytes bytes = new ExactBytes();
        try {
            write(FACTORY.createGenerator(bytes, JsonEncoding.UTF8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private void write(JsonGenerator generator) throws IOException {
        try (JsonGenerator json = generator) {
            json.writeStartObject();
            writeFields(json);
            json.writeEndObject();
        }
    }
}
