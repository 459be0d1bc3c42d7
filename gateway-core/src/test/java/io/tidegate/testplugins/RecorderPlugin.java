package io.tidegate.testplugins;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * "recorder" (priority 1000): appends {@code tag:phase} to the request's trace in every phase,
 * sends the request phases' trace upstream (X-Trace) and back (X-Trace-Response), and records
 * body chunks and the log phase in the {@link Sink}.
 */
public class RecorderPlugin implements GatewayPlugin<RecorderPlugin.Tag> {
    private static final AttributeKey<List> TRACE = AttributeKey.of("trace", List.class);

    /** The configuration: a label for the trace. */
    public record Tag(String tag) {}

    @Override public String name() { return "recorder"; }
    @Override public int priority() { return 1000; }

    @Override
    public ConfigSchema<Tag> configSchema() {
        return ConfigSchema.of(Tag.class, """
                {"type": "object", "properties": {"tag": {"type": "string"}}, "required": ["tag"]}""");
    }

    @Override
    public PluginInstance create(Tag config, PluginServices services) {
        return new Recorder(name(), config.tag());
    }

    /** One recorder instance; also used by {@link EarlyRecorderPlugin}. */
    public static final class Recorder implements PluginInstance {
        private final String label;

        Recorder(String name, String tag) {
            this.label = name + "/" + tag;
        }

        @SuppressWarnings("unchecked")
        private List<String> trace(PluginContext context) {
            List<String> trace = context.attribute(TRACE);
            if (trace == null) {
                trace = new ArrayList<>();
                context.setAttribute(TRACE, trace);
            }
            return trace;
        }

        private PhaseResult record(PluginContext context, String phase) {
            trace(context).add(label + ":" + phase);
            context.upstreamRequest().setHeader("X-Trace", String.join(",", trace(context)));
            return PhaseResult.proceed();
        }

        @Override public PhaseResult rewrite(PluginContext context) { return record(context, "rewrite"); }
        @Override public PhaseResult access(PluginContext context) { return record(context, "access"); }
        @Override public PhaseResult beforeProxy(PluginContext context) { return record(context, "before_proxy"); }

        @Override
        public void headerFilter(PluginContext context) {
            trace(context).add(label + ":header_filter");
            context.response().setHeader("X-Trace-Response", String.join(",", trace(context)));
        }

        @Override public boolean filtersBody() { return true; }

        @Override
        public ByteBuffer bodyFilter(PluginContext context, ByteBuffer chunk, boolean last) {
            Sink.events().add(label + ":body_filter:" + chunk.remaining() + (last ? ":last" : ""));
            return chunk;
        }

        @Override
        public void log(PluginContext context) {
            Sink.events().add(label + ":log:" + context.response().status());
        }
    }
}
