package io.tidegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For a plugin module's end-to-end tests: the real gateway with the module's packaged jar (the
 * {@code plugin.jar} system property, set by the build) in a fresh plugin folder. Its listener
 * takes HTTP/1.1 and cleartext HTTP/2 (gRPC clients).
 */
public final class PluginGateway {
    private PluginGateway() {}

    /** Starts the gateway on {@code resources} (YAML resource lists) with this module's plugin loaded. */
    public static TestGateway start(String resources) {
        return start("", resources);
    }

    /** The same, with the Prometheus exporter on an ephemeral port (see {@link TestGateway#metrics()}). */
    public static TestGateway startWithMetrics(String resources) {
        return start("  metrics: { address: \"127.0.0.1:0\" }\n", resources);
    }

    /**
     * The same, with more {@code tidegate:} settings: YAML lines indented by two spaces, such as
     * {@code "  proxy_cache: { cache_ttl: 5s }\n"}.
     */
    public static TestGateway startWithSettings(String serverSettings, String resources) {
        return start(serverSettings, resources);
    }

    private static TestGateway start(String serverSettings, String resources) {
        String jar = System.getProperty("plugin.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("plugin.jar is not set to a built jar (" + jar + "): run through 'mvn verify'");
        }
        try {
            Path plugins = TempDirs.create("tidegate-it-plugins");
            Files.copy(Path.of(jar), plugins.resolve(Path.of(jar).getFileName()));
            return TestGateway.start("""
                    tidegate:
                      threads: 2
                      listeners: [{ address: "127.0.0.1:0", offer_h2: true }]
                      plugins_dir: %s
                    %s%s""".formatted(plugins, serverSettings, resources));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
