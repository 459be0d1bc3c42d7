package io.tidegate.plugins.loggers;

import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * What both loggers do per request: capture the response body when the entry includes it, and
 * hand each finished request's entry to the logger's destination (a file, a batch sender). What
 * the destination needs beyond the instance (a shared sender) the gateway releases with it.
 */
final class EntryLogger implements PluginInstance {
    private final LogEntries entries;
    private final Consumer<PluginContext> writeEntry;

    /** {@code writeEntry} takes the finished request's entry and hands it on (rendered now or on a batch thread). */
    EntryLogger(LogEntries entries, Consumer<PluginContext> writeEntry) {
        this.entries = entries;
        this.writeEntry = writeEntry;
    }

    /** How this logger builds its entries. */
    LogEntries entries() {
        return entries;
    }

    @Override
    public boolean filtersBody() {
        return entries.capturesResponseBody();
    }

    @Override
    public int requestBodyHead() {
        return entries.requestBodyHead();
    }

    @Override
    public ByteBuffer bodyFilter(PluginContext context, ByteBuffer chunk, boolean last) {
        return entries.capture(context, chunk);
    }

    @Override
    public void log(PluginContext context) {
        writeEntry.accept(context);
    }
}
