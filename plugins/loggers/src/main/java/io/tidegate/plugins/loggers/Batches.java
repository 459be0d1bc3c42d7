package io.tidegate.plugins.loggers;

import java.util.List;

/** How the loggers put a batch of rendered entries into one payload. */
final class Batches {
    enum Join {
        /** One per line, {@code \n} between them (http-logger's new_line). */
        LINES,
        /** A JSON array; a batch of one as the entry itself (Tidegate's http-logger). */
        JSON_OR_SINGLE,
        /** A JSON array, even of one entry (APISIX's loggers whose batch_max_size is not 1). */
        JSON_ARRAY,
        /** Entries back to back (syslog's framed lines). */
        CONCATENATED
    }

    private Batches() {}

    static byte[] joined(List<byte[]> batch, Join join) {
        boolean array = join == Join.JSON_ARRAY || join == Join.JSON_OR_SINGLE && batch.size() > 1;
        boolean separated = join != Join.CONCATENATED;
        int length = (separated ? batch.size() - 1 : 0) + (array ? 2 : 0);
        for (byte[] entry : batch) {
            length += entry.length;
        }
        byte[] body = new byte[length];
        int at = 0;
        if (array) {
            body[at++] = '[';
        }
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0 && separated) {
                body[at++] = (byte) (join == Join.LINES ? '\n' : ',');
            }
            byte[] entry = batch.get(i);
            System.arraycopy(entry, 0, body, at, entry.length);
            at += entry.length;
        }
        if (array) {
            body[at] = ']';
        }
        return body;
    }
}
