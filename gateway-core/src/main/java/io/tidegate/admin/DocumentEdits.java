package io.tidegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.source.KeyedResources;

/** One resource put into, or taken out of, a whole configuration document (its lists of items). */
final class DocumentEdits {
    private DocumentEdits() {
    }

    /** Replaces the item of that id, or appends it; returns its index. {@code item} gets the id. */
    static int place(ObjectNode document, String list, String id, ObjectNode item) {
        String idField = KeyedResources.idField(list);
        ObjectNode placed = item.deepCopy();
        placed.remove("modifiedIndex");  // APISIX's bookkeeping: an item that kept it would count as unchanged
        placed.put(idField, id);
        ArrayNode items = document.path(list).isArray() ? (ArrayNode) document.get(list) : document.putArray(list);
        int index = indexOf(items, idField, id);
        if (index >= 0) {
            items.set(index, placed);
            return index;
        }
        items.add(placed);
        return items.size() - 1;
    }

    /** Whether {@code document} with {@code item} put in would be accepted: 200 {@code {}}, or the problems as fields. */
    static ResourceStore.Answer check(ObjectNode document, ConfigValidation validation, String list, String id, ObjectNode item) {
        int index = place(document, list, id, item);
        java.util.List<io.tidegate.config.Problem> problems = validation.problems(document);
        return problems.isEmpty() ? new ResourceStore.Answer(200, document.objectNode()) : FieldErrors.of(problems, list, index, "");
    }

    /** Removes the item of that id; false when there is none. */
    static boolean remove(ObjectNode document, String list, String id) {
        JsonNode items = document.get(list);
        if (!(items instanceof ArrayNode array)) {
            return false;
        }
        int index = indexOf(array, KeyedResources.idField(list), id);
        if (index < 0) {
            return false;
        }
        array.remove(index);
        return true;
    }

    static boolean contains(ObjectNode document, String list, String id) {
        return document.get(list) instanceof ArrayNode array && indexOf(array, KeyedResources.idField(list), id) >= 0;
    }

    private static int indexOf(ArrayNode items, String idField, String id) {
        for (int i = 0; i < items.size(); i++) {
            if (id.equals(items.get(i).path(idField).asText(null))) {
                return i;
            }
        }
        return -1;
    }
}
