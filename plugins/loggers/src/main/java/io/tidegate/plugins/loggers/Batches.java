package io.tidegate.plugins.loggers;

/** How the loggers put a batch of entries into one payload (written by {@link BatchProcessor}). */
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

    /**
     * APISIX's kafka-, tcp- and udp-logger: a JSON array of the batch, or with batch_max_size 1
     * the entry alone.
     */
    static Join jsonFor(BatchProcessor.Settings batch) {
        return batch.batchMaxSize() == 1 ? Join.JSON_OR_SINGLE : Join.JSON_ARRAY;
    }
}
