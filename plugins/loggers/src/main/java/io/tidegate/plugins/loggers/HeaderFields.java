package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The headers of a request or response as the log entry shows them: a copy taken on the request's
 * thread (the gateway's own lists are valid only during the call), names lower-cased and values
 * joined only when the entry is written, off that thread.
 */
final class HeaderFields {
    /**
     * The field name of each header name seen, lower-cased and encoded once rather than for every
     * entry. Bounded: request header names are the client's choice, the common ones come first.
     */
    private static final int MOST_NAMES = 512;
    private static final ConcurrentHashMap<String, SerializableString> FIELD_NAMES = new ConcurrentHashMap<>();

    /** Name, value, name, value... up to {@code size}; a repeated header's values are one element, a List. */
    private final Object[] fields;
    private final int size;

    private HeaderFields(Object[] fields, int size) {
        this.fields = fields;
        this.size = size;
    }

    /** Copies what {@code forEachHeader} (a request's or response's) visits. */
    static HeaderFields copyOf(Consumer<BiConsumer<String, List<String>>> forEachHeader) {
        Copier copier = new Copier();
        forEachHeader.accept(copier);
        return new HeaderFields(copier.fields, copier.size);
    }

    /** As APISIX: names in lower case, a repeated header's values joined with ", " into one field. */
    void writeTo(JsonGenerator json) throws IOException {
        for (int i = 0; i < size; i += 2) {
            json.writeFieldName(fieldName((String) fields[i]));
            Object value = fields[i + 1];
            @SuppressWarnings("unchecked")
            String text = value instanceof String single ? single : String.join(", ", (List<String>) value);
            json.writeString(text);
        }
    }

    private static SerializableString fieldName(String header) {
        SerializableString known = FIELD_NAMES.get(header);
        if (known != null) {
            return known;
        }
        SerializableString name = new SerializedString(header.toLowerCase(Locale.ROOT));
        if (FIELD_NAMES.size() < MOST_NAMES) {
            FIELD_NAMES.putIfAbsent(header, name);
        }
        return name;
    }

    private static final class Copier implements BiConsumer<String, List<String>> {
        Object[] fields = new Object[16];
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
