package io.tidegate.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard never sends to a browser: an ssl's private keys (left out) and consumers'
 * credentials (every string inside a consumer's {@code plugins} shown as {@link #MASK}). A
 * resource saved back with a value still masked keeps the stored one, so an edit of a consumer's
 * name does not need its secrets; a mask with nothing stored behind it is refused, never stored.
 */
final class Secrets {
    static final String MASK = "******";

    private Secrets() {
    }

    /** A masked copy of a whole document (lists of items). */
    static ObjectNode masked(ObjectNode document) {
        ObjectNode copy = document.deepCopy();
        for (Map.Entry<String, JsonNode> list : copy.properties()) {
            for (JsonNode item : list.getValue()) {
                if (item instanceof ObjectNode object) {
                    maskItem(list.getKey(), object);
                }
            }
        }
        return copy;
    }

    /** A masked copy of one item of {@code list}. */
    static ObjectNode masked(String list, ObjectNode item) {
        ObjectNode copy = item.deepCopy();
        maskItem(list, copy);
        return copy;
    }

    private static void maskItem(String list, ObjectNode item) {
        if (list.equals("ssls")) {
            item.remove("key");
            item.remove("keys");
        } else if (list.equals("consumers") && item.get("plugins") instanceof ObjectNode plugins) {
            maskStrings(plugins);
        }
    }

    private static void maskStrings(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                if (field.getValue().isTextual()) {
                    field.setValue(TextNode.valueOf(MASK));
                } else {
                    maskStrings(field.getValue());
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isTextual()) {
                    array.set(i, TextNode.valueOf(MASK));
                } else {
                    maskStrings(array.get(i));
                }
            }
        }
    }

    /**
     * {@code item} (edited in a browser) with the stored secrets put back where it still shows the
     * mask or leaves an ssl's keys out; returns the paths of masks that have nothing stored behind
     * them (a new consumer whose credential was never typed), which must not be saved.
     */
    static List<String> unmask(String list, ObjectNode item, ObjectNode stored) {
        List<String> unresolved = new ArrayList<>();
        if (list.equals("ssls") && stored != null && !item.has("key") && !item.has("keys")) {
            for (String field : List.of("key", "keys")) {
                if (stored.has(field)) {
                    item.set(field, stored.get(field).deepCopy());
                }
            }
        } else if (list.equals("consumers") && item.get("plugins") instanceof ObjectNode plugins) {
            unmaskStrings(plugins, stored == null ? null : stored.get("plugins"), "plugins", unresolved);
        }
        return unresolved;
    }

    private static void unmaskStrings(JsonNode node, JsonNode stored, String path, List<String> unresolved) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                JsonNode storedValue = stored == null ? null : stored.get(field.getKey());
                String at = path + "." + field.getKey();
                if (MASK.equals(field.getValue().textValue())) {
                    if (storedValue != null && storedValue.isTextual()) {
                        field.setValue(storedValue);
                    } else {
                        unresolved.add(at);
                    }
                } else {
                    unmaskStrings(field.getValue(), storedValue, at, unresolved);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode storedValue = stored == null ? null : stored.get(i);
                String at = path + "[" + i + "]";
                if (MASK.equals(array.get(i).textValue())) {
                    if (storedValue != null && storedValue.isTextual()) {
                        array.set(i, storedValue);
                    } else {
                        unresolved.add(at);
                    }
                } else {
                    unmaskStrings(array.get(i), storedValue, at, unresolved);
                }
            }
        }
    }
}
