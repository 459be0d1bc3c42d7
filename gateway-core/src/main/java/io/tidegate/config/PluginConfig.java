package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** A reusable set of plugins that routes name with {@code plugin_config_id}. */
public record PluginConfig(String id, Map<String, JsonNode> plugins) {}
