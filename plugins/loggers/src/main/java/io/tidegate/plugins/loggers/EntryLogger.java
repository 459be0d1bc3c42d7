package io.tidegate.plugins.loggers;

import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * What both loggers do per request: capture the response body when the entry includes it, and
 * hand each finished request's entry to the logger's destination (a file, a batch sender).
 */
final class EntryLogger implements PluginInstance {
    private final LogEntries entries;
    private final Consumer<PluginContext> writeEntry;
    private final Runnable onClose;

    /** {@code writeEntry} renders the finished request's entry and hands it on. */
    EntryLogger(LogEntries entries, Consumer<PluginContext> writeEntry, Runnable onClose) {
        this.entries = entries;
        this.writeEntry = writeEntry;
        this.onClose = onClose;
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

    @Override
    public void close() {
        onClose.run();
    }
}
