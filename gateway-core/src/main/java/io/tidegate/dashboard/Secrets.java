package io.tidegate.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the dashboard never sends to a browser: an ssl's private keys (left out), every string of
 * a consumer's credentials, an upstream's mTLS {@code tls.client_key}, and plugin settings whose
 * name says they are secret ({@code client_secret}, {@code redis_password}, {@code auth_header},
 * {@code session.secret}, ...), all shown as {@link #MASK}. A resource saved back with a value
 * still masked keeps the stored one at that place, so an edit of a name does not need the secrets;
 * a mask with nothing stored behind it is refused, never stored; an ssl whose certificate changed
 * does not silently keep the old certificate's key.
 */
final class Secrets {
    static final String MASK = "******";
    /** Names of plugin settings that hold secrets, as APISIX's plugins name them. */
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i)(.*_)?(secret|password|passwd|private_key|client_key|auth_header|api_key|access_key|secret_key|token|credentials?)");

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
        }
        secretPlaces(list, item, "", (path, holder, field) -> {
            if (holder instanceof ObjectNode object) {
                object.set(field, TextNode.valueOf(MASK));
            } else {
                ((ArrayNode) holder).set(Integer.parseInt(field), TextNode.valueOf(MASK));
            }
        });
    }

    /** A place holding a secret string: its path, its container and its field name (or index). */
    @FunctionalInterface
    private interface SecretPlace {
        void found(String path, JsonNode holder, String field);
    }

    /** Every secret string of {@code item}, an item of {@code list}. */
    private static void secretPlaces(String list, JsonNode item, String path, SecretPlace place) {
        if (item instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                JsonNode value = field.getValue();
                if (value.isTextual() && secret(list, at, field.getKey())) {
                    place.found(at, object, field.getKey());
                } else {
                    secretPlaces(list, value, at, place);
                }
            }
        } else if (item instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                String at = path + "[" + i + "]";
                if (array.get(i).isTextual() && list.equals("consumers") && path.startsWith("plugins.")) {
                    place.found(at, array, Integer.toString(i));
                } else {
                    secretPlaces(list, array.get(i), at, place);
                }
            }
        }
    }

    private static boolean secret(String list, String path, String name) {
        if (list.equals("consumers") && path.startsWith("plugins.")) {
            return true;  // a credential: every string of it
        }
        if (path.endsWith("tls.client_key")) {
            return true;
        }
        return (path.startsWith("plugins.") || path.contains(".plugins.")) && SECRET_NAME.matcher(name).matches();
    }

    /** The secret values of an item by path (an ssl's keys included): what a browser never sees of it. */
    static Map<String, JsonNode> secretsOf(String list, JsonNode item) {
        Map<String, JsonNode> secrets = new LinkedHashMap<>();
        if (list.equals("ssls")) {
            for (String field : List.of("key", "keys")) {
                if (item.has(field)) {
                    secrets.put(field, item.get(field));
                }
            }
        }
        secretPlaces(list, item, "", (path, holder, field) -> secrets.put(path,
                holder.isObject() ? holder.get(field) : holder.get(Integer.parseInt(field))));
        return secrets;
    }

    /**
     * {@code item} (edited in a browser) with the stored secrets put back where it still shows the
     * mask, or leaves an ssl's keys out while keeping its certificate; returns the paths that
     * cannot be saved so (a mask with nothing stored behind it, an ssl whose certificate changed
     * without its key).
     */
    static List<String> unmask(String list, ObjectNode item, ObjectNode stored) {
        List<String> unresolved = new ArrayList<>();
        if (list.equals("ssls") && !item.has("key") && !item.has("keys")) {
            boolean sameCertificate = stored != null && Objects.equals(stored.get("cert"), item.get("cert"))
                    && Objects.equals(stored.get("certs"), item.get("certs"));
            if (sameCertificate) {
                for (String field : List.of("key", "keys")) {
                    if (stored.has(field)) {
                        item.set(field, stored.get(field).deepCopy());
                    }
                }
            } else if (stored != null) {
                unresolved.add("key");
            }
        }
        putBack(item, stored, "", unresolved);
        return unresolved;
    }

    private static void putBack(JsonNode node, JsonNode stored, String path, List<String> unresolved) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                JsonNode storedValue = stored == null ? null : stored.get(field.getKey());
                String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (MASK.equals(field.getValue().textValue())) {
                    if (storedValue != null && storedValue.isTextual()) {
                        field.setValue(storedValue);
                    } else {
                        unresolved.add(at);
                    }
                } else {
                    putBack(field.getValue(), storedValue, at, unresolved);
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
                    putBack(array.get(i), storedValue, at, unresolved);
                }
            }
        }
    }
}
