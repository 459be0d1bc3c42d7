package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * APISIX's standalone files may leave out an item's {@code id}: APISIX keys such an item by its
 * position, {@code arr_1} for the first of its list. A file read here gets the same ids, so
 * configurations written the way APISIX's documentation writes them load as they do there (and
 * logs and metrics name the same route ids).
 */
final class PositionalIds {
    /** The lists whose items APISIX keys by {@code id} (consumers are keyed by username). */
    private static final List<String> KEYED_BY_ID = List.of("routes", "upstreams", "services", "ssls", "global_rules",
            "plugin_configs", "protos");

    private PositionalIds() {}

    /** {@code root}, or a copy of it where every id-less item of a keyed list has its positional id. */
    static JsonNode assign(JsonNode root) {
        if (!root.isObject() || KEYED_BY_ID.stream().noneMatch(list -> needsIds(root.get(list)))) {
            return root;
        }
        ObjectNode copy = root.deepCopy();
        for (String list : KEYED_BY_ID) {
            JsonNode items = copy.get(list);
            if (needsIds(items)) {
                for (int i = 0; i < items.size(); i++) {
                    if (items.get(i) instanceof ObjectNode item && !item.has("id")) {
                        item.put("id", "arr_" + (i + 1));
                    }
                }
            }
        }
        return copy;
    }

    private static boolean needsIds(JsonNode items) {
        if (!(items instanceof ArrayNode array)) {
            return false;
        }
        for (JsonNode item : array) {
            if (item.isObject() && !item.has("id")) {
                return true;
            }
        }
        return false;
    }
}
