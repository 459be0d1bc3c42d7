package io.tidegate.plugins.compression;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.pf4j.Extension;

/**
 * APISIX's {@code brotli} (priority 996): compresses, as it streams, a response that
 * {@link CompressionRules} admits for a client whose Accept-Encoding takes {@code br}, at
 * {@code comp_level} (brotli's quality) with window {@code lgwin} and {@code mode}; the response
 * head changes as {@link EncodedHeaders} says. Runs on brotli4j's native encoder: where that
 * cannot load, every configuration is accepted and every response passes uncompressed, said once
 * in the log.
 */
@Extension
public final class BrotliPlugin implements GatewayPlugin<BrotliPlugin.Settings> {
    /** {@code lgblock} is checked and kept, but brotli4j cannot pass it on: the encoder picks block sizes (as with 0). */
    public record Settings(JsonNode types, int minLength, int compLevel, int mode, int lgwin, int lgblock,
                           double httpVersion, Boolean vary) {}

    /** Loaded when a configuration first needs it, once for this jar's class loader. */
    private static final class Library {
        // a lambda, not a method reference: a missing class then fails inside load(), as a failure
        static final NativeLibrary BROTLI = NativeLibrary.load("brotli4j", () -> Brotli4jLoader.ensureAvailability());
    }

    private final Supplier<NativeLibrary> library;
    private final AtomicBoolean warned = new AtomicBoolean();

    public BrotliPlugin() {
        this(() -> Library.BROTLI);
    }

    /** With the native library's state given, as a test does to see the plugin without it. */
    BrotliPlugin(Supplier<NativeLibrary> library) {
        this.library = library;
    }

    @Override
    public String name() {
        return "brotli";
    }

    @Override
    public int priority() {
        return 996;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/brotli.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) {
        NativeLibrary brotli = library.get();
        if (!brotli.available()) {
            if (warned.compareAndSet(false, true)) {
                brotli.warnDisabled(services.log(), name());
            }
            return new PluginInstance() {};
        }
        CompressionRules rules = CompressionRules.of("br", config.types(), config.minLength(), config.httpVersion());
        BrotliStream.Parameters parameters = new BrotliStream.Parameters(config.compLevel(), config.lgwin(), config.mode());
        return new CompressingInstance(rules, Boolean.TRUE.equals(config.vary()),
                streamed -> new BrotliStream(parameters, streamed), services.log());
    }
}
