package io.tidegate.plugins.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.testkit.PluginRunner;
import java.util.List;
import org.junit.jupiter.api.Test;

/** prometheus with the test kit: what it accepts and what it refuses. */
class PrometheusPluginTest {
    private final PrometheusPlugin plugin = new PrometheusPlugin();

    @Test
    void acceptsApisixConfigurations() throws Exception {
        assertNotNull(PluginRunner.create(plugin, "{}"));
        assertNotNull(PluginRunner.create(plugin, "{\"prefer_name\": false}"));
    }

    @Test
    void labellingByNameIsRefused() {
        PluginConfigException e = assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(plugin, "{\"prefer_name\": true}"));
        assertEquals("prefer_name", e.field());
        assertEquals("true is not supported: metrics are labelled by route id", e.getMessage());
    }

    @Test
    void unknownFieldsAndWrongTypesAreRefusedAtTheirField() {
        assertEquals(List.of("prefer_names: unknown field"), PluginRunner.violations(plugin, "{\"prefer_names\": false}"));
        assertEquals(List.of("prefer_name: must be a boolean"), PluginRunner.violations(plugin, "{\"prefer_name\": \"no\"}"));
    }
}
