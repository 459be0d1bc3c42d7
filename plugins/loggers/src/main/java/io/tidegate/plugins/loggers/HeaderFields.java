package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The headers of a request or response as the log entry shows them: a copy taken on the request's
 * thread (the gateway's own lists are valid only during the call), names lower-cased and values
 * joined only when the entry is written, off that thread.
 */
final class HeaderFields {
    /** Name, value, name, value...; a repeated header's values are one element, a List. */
    private final Object[] fields;

    private HeaderFields(Object[] fields) {
        this.fields = fields;
    }

    /** Copies what {@code forEachHeader} (a request's or response's) visits. */
    static HeaderFields copyOf(Consumer<BiConsumer<String, List<String>>> forEachHeader) {
        Copier copier = new Copier();
        forEachHeader.accept(copier);
        return new HeaderFields(copier.fields.length == copier.size ? copier.fields : java.util.Arrays.copyOf(copier.fields, copier.size));
    }

    /** As APISIX: names in lower case, a repeated header's values joined with ", " into one field. */
    void writeTo(JsonGenerator json) throws IOException {
        for (int i = 0; i < fields.length; i += 2) {
            json.writeFieldName(((String) fields[i]).toLowerCase(Locale.ROOT));
            Object value = fields[i + 1];
            @SuppressWarnings("unchecked")
            String text = value instanceof String single ? single : String.join(", ", (List<String>) value);
            json.writeString(text);
        }
    }

    private static final class Copier implements BiConsumer<String, List<String>> {
        Object[] fields = new Object[32];
        int size;

        @Override
        public void accept(String name, List<String> values) {
            if (size == fields.length) {
                fields = java.util.Arrays.copyOf(fields, size * 2);
            }
            fields[size++] = name;
            fields[size++] = values.size() == 1 ? values.get(0) : List.copyOf(values);
        }
    }
}
