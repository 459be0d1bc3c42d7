package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** Plugins that run for every request, before route plugins. */
public record GlobalRule(String id, Map<String, JsonNode> plugins) {}
