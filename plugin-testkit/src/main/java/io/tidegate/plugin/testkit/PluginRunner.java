package io.tidegate.plugin.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Helpers to build a plugin instance from JSON text and to push a body through its filter. */
public final class PluginRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, List<String>> LINES = new java.util.concurrent.ConcurrentHashMap<>();

    /** Lines plugins created by this runner wrote to a {@code lineSink(path)}. */
    public static List<String> linesWritten(String path) {
        return List.copyOf(LINES.getOrDefault(path, List.of()));
    }

    private PluginRunner() {}

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }

    /** Creates an instance as the gateway would, with no consumers. */
    public static PluginInstance create(GatewayPlugin plugin, String configJson) throws PluginConfigException {
        return create(plugin, configJson, Map.of());
    }

    /** Creates an instance with consumer credentials: plugin name to (username to credential JSON). */
    public static PluginInstance create(GatewayPlugin plugin, String configJson, Map<String, Map<String, String>> credentials)
            throws PluginConfigException {
        PluginServices services = new PluginServices() {
            @Override
            public List<ConsumerCredential> consumers(String pluginName) {
                return credentials.getOrDefault(pluginName, Map.of()).entrySet().stream()
                        .map(e -> new ConsumerCredential(e.getKey(), json(e.getValue()))).toList();
            }

            @Override
            public boolean hasConsumer(String username) {
                return credentials.values().stream().anyMatch(byUser -> byUser.containsKey(username));
            }

            @Override
            public String owner() {
                return "route:1";
            }

            @Override
            public io.tidegate.plugin.api.LineSink lineSink(String path) {
                return line -> LINES.computeIfAbsent(path, p -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(line);
            }
        };
        return plugin.create(json(configJson), services);
    }

    /**
     * Runs the chunks through {@link PluginInstance#bodyFilter} in order, then the final call, and
     * returns what the client would receive.
     */
    public static String filterBody(PluginInstance instance, PluginContext context, String... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String chunk : chunks) {
            drain(instance.bodyFilter(context, ByteBuffer.wrap(chunk.getBytes(StandardCharsets.UTF_8)), false), out);
        }
        drain(instance.bodyFilter(context, ByteBuffer.allocate(0), true), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void drain(ByteBuffer buffer, ByteArrayOutputStream out) {
        if (buffer != null) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            out.writeBytes(bytes);
        }
    }
}
