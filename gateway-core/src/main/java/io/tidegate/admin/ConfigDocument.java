package io.tidegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.ConfigLoader;
import io.tidegate.config.Problems;
import io.tidegate.config.Resources;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A whole configuration as APISIX's API-driven standalone mode exchanges it: the resource lists of
 * {@code apisix.yaml}, a {@code <list>_conf_version} number per list, the digest and time of the
 * last change, and {@code modifiedIndex} on items. What Tidegate serves is read from it as from a
 * standalone file; lists Tidegate does not serve may be present only empty.
 */
final class ConfigDocument {
    /** APISIX's resource lists, each with its {@code _conf_version} (what its GET lists when empty). */
    static final List<String> LISTS = List.of("consumer_groups", "consumers", "global_rules", "plugin_configs",
            "plugin_metadata", "plugins", "protos", "routes", "secrets", "services", "ssls", "stream_routes", "upstreams");
    static final String VERSION_SUFFIX = "_conf_version";
    static final String DIGEST = "X-Digest";
    static final String LAST_MODIFIED = "X-Last-Modified";

    private ConfigDocument() {
    }

    /** The resources {@code document} describes; its problems name list, index and field. */
    static Resources read(ObjectNode document, Problems problems) {
        ObjectNode lists = document.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = document.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (name.endsWith(VERSION_SUFFIX) && LISTS.contains(name.substring(0, name.length() - VERSION_SUFFIX.length()))
                    || name.equals(DIGEST) || name.equals(LAST_MODIFIED)) {
                continue;
            }
            JsonNode value = field.getValue();
            if (value.isArray() && value.isEmpty() || value.isNull()) {
                continue;  // ADC sends every list; an empty one of a kind not served here asks for nothing
            }
            lists.set(name, withoutModifiedIndex(value));
        }
        return ConfigLoader.readResourceDocument(lists, "", problems);
    }

    /** A copy of {@code list} whose items lack APISIX's per-item {@code modifiedIndex} (bookkeeping, not configuration). */
    private static JsonNode withoutModifiedIndex(JsonNode list) {
        if (!list.isArray()) {
            return list;
        }
        ArrayNode copy = ((ArrayNode) list).deepCopy();
        copy.forEach(item -> {
            if (item instanceof ObjectNode object) {
                object.remove("modifiedIndex");
            }
        });
        return copy;
    }

    /** The type of a {@code _conf_version} that is not a number (as APISIX names Lua types), or null. */
    static String badVersionType(ObjectNode document, String list) {
        JsonNode version = document.get(list + VERSION_SUFFIX);
        if (version == null || version.isNull() || version.isNumber()) {
            return null;
        }
        return version.isTextual() ? "string" : version.isBoolean() ? "boolean" : "table";
    }
}
