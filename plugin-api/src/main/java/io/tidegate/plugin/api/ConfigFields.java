package io.tidegate.plugin.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;

/** Checks every plugin's configuration needs, reported as {@link PluginConfigException}s with the field's name. */
public final class ConfigFields {
    private ConfigFields() {}

    /** Rejects the first field not in {@code allowed}, as "unknown field", so typos never pass silently. */
    public static void requireOnly(JsonNode config, Set<String> allowed) throws PluginConfigException {
        if (!config.isObject()) {
            throw new PluginConfigException("", "must be an object");
        }
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                throw new PluginConfigException(field, "unknown field");
            }
        }
    }
}
