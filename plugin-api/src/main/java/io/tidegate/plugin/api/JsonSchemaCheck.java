package io.tidegate.plugin.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A compiled JSON Schema ({@link PluginServices#jsonSchema}): checks values, safe to share between threads. */
@FunctionalInterface
public interface JsonSchemaCheck {
    /** Every way {@code value} breaks the schema, each as {@code path: message} (no path at the top); empty when valid. */
    List<String> violations(JsonNode value);
}
