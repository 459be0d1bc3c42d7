package io.tidegate.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidegate.Gateway;
import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigLoader;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.UpstreamServer;
import io.tidegate.testplugins.AttributedPlugin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code tidegate.plugin_attr}: a plugin's process-wide settings, checked by its attribute schema. */
class PluginAttributesTest {
    @RegisterExtension
    static final UpstreamServer upstream = new UpstreamServer("main");
    @TempDir
    static Path root;
    private static Path plugins;

    @BeforeAll
    static void installPlugin() throws Exception {
        plugins = Files.createDirectories(root.resolve("plugins"));
        TestPluginJars.install(plugins, "attributed.jar", "attributed", "1", AttributedPlugin.class);
    }

    private String config(String attributes) {
        return """
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                %s
                routes:
                  - { id: r, uri: /a, plugins: { attributed: {} }, upstream: { nodes: { "%s": 1 } } }
                """.formatted(plugins, attributes, upstream.address());
    }

    @Test
    void everyInstanceReadsTheSettingsBoundWithTheirDefaults() {
        try (TestGateway gateway = TestGateway.start(config("  plugin_attr:\n    attributed: { address: \"collector:4318\" }\n"
                + "    prometheus: { export_uri: /apisix/prometheus/metrics }"))) {
            assertEquals("collector:4318/3", gateway.get("/a").headers().firstValue("X-Collector").orElse(null),
                    "timeout's default filled; settings of a plugin that declares none are left alone");
        }
    }

    @Test
    void settingsTheSchemaRefusesStopTheStartWithTheirField() {
        ConfigException bad = assertThrows(ConfigException.class, () -> Gateway.start(new ConfigLoader().load(TestGateway.write(
                config("  plugin_attr:\n    attributed: { address: \"no-port\", timeout: 0 }")))));
        assertEquals(List.of("tidegate.plugin_attr.attributed.address: must be a string matching ^[^:]+:[0-9]+$",
                "tidegate.plugin_attr.attributed.timeout: must be an integer >= 1"), bad.errors().stream().sorted().toList(),
                "only the settings' errors: the routes using the plugin are not blamed");
        ConfigException missing = assertThrows(ConfigException.class, () -> Gateway.start(new ConfigLoader().load(TestGateway.write(
                config("")))));
        assertEquals(List.of("tidegate.plugin_attr.attributed.address: is required (a string matching ^[^:]+:[0-9]+$)"), missing.errors());
        ConfigException notAMapping = assertThrows(ConfigException.class, () -> new ConfigLoader().load(TestGateway.write(
                config("  plugin_attr:\n    attributed: 3"))));
        assertEquals(List.of("tidegate.plugin_attr.attributed: must be a mapping"), notAMapping.errors());
    }
}
