package io.tidegate.plugins.compression;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.luben.zstd.util.Native;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.pf4j.Extension;

/**
 * {@code zstd} (priority 997, not in APISIX; brotli's sibling, one above it, so a client taking
 * both gets zstd): compresses, as it streams, a response that {@link CompressionRules} admits for
 * a client whose Accept-Encoding takes {@code zstd} (RFC 9659), at {@code comp_level}, as one zstd
 * frame; the response head changes as {@link EncodedHeaders} says. Runs on zstd-jni's native
 * library: where that cannot load, every configuration is accepted and every response passes
 * uncompressed, said once in the log.
 */
@Extension
public final class ZstdPlugin implements GatewayPlugin<ZstdPlugin.Settings> {
    public record Settings(JsonNode types, int minLength, int compLevel, double httpVersion, Boolean vary) {}

    /** Loaded when a configuration first needs it, once for this jar's class loader. */
    private static final class Library {
        // a lambda, not a method reference: a missing class then fails inside load(), as a failure
        static final NativeLibrary ZSTD = NativeLibrary.load("zstd-jni", () -> Native.load());
    }

    private final Supplier<NativeLibrary> library;
    private final AtomicBoolean warned = new AtomicBoolean();

    public ZstdPlugin() {
        this(() -> Library.ZSTD);
    }

    /** With the native library's state given, as a test does to see the plugin without it. */
    ZstdPlugin(Supplier<NativeLibrary> library) {
        this.library = library;
    }

    @Override
    public String name() {
        return "zstd";
    }

    @Override
    public int priority() {
        return 997;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/zstd.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) {
        NativeLibrary zstd = library.get();
        if (!zstd.available()) {
            if (warned.compareAndSet(false, true)) {
                zstd.warnDisabled(services.log(), name());
            }
            return new PluginInstance() {};
        }
        CompressionRules rules = CompressionRules.of("zstd", config.types(), config.minLength(), config.httpVersion());
        ZstdContextPool contexts = services.shared("contexts", ZstdContextPool::new);
        int level = config.compLevel();
        return new CompressingInstance(rules, Boolean.TRUE.equals(config.vary()),
                streamed -> new ZstdStream(contexts, level, streamed), services.log());
    }
}
