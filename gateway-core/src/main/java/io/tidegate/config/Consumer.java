package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** A consumer: an API user identified by an auth plugin's credentials. */
public record Consumer(String username, Map<String, JsonNode> plugins) {}
