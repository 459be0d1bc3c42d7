package io.tidegate.plugins.loggers;

import io.tidegate.plugin.api.LineSink;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.nio.ByteBuffer;

/**
 * What both loggers do per request: capture the response body when the entry includes it, and
 * hand each finished request's entry to the logger's destination (a file, a batch sender).
 */
final class EntryLogger implements PluginInstance {
    private final LogEntries entries;
    private final LineSink destination;
    private final Runnable onClose;

    EntryLogger(LogEntries entries, LineSink destination, Runnable onClose) {
        this.entries = entries;
        this.destination = destination;
        this.onClose = onClose;
    }

    @Override
    public boolean filtersBody() {
        return entries.capturesBody();
    }

    @Override
    public ByteBuffer bodyFilter(PluginContext context, ByteBuffer chunk, boolean last) {
        return entries.capture(context, chunk);
    }

    @Override
    public void log(PluginContext context) {
        destination.write(entries.line(context));
    }

    @Override
    public void close() {
        onClose.run();
    }
}
