package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/** An entry of a {@code log_format}: its fields' values, rendered from the request's variables on its thread. */
final class FormattedEntry extends LogEntry {
    private final String[] names;
    private final String[] values;

    /** {@code values[i]} (null allowed) is the field {@code names[i]}; both arrays are kept, not copied. */
    FormattedEntry(String[] names, String[] values) {
        this.names = names;
        this.values = values;
    }

    @Override
    void writeFields(JsonGenerator json) throws IOException {
        for (int i = 0; i < names.length; i++) {
            json.writeStringField(names[i], values[i]);
        }
    }
}
