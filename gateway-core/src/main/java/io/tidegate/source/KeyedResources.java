package io.tidegate.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.ConfigLoader;
import io.tidegate.config.Problem;
import io.tidegate.config.Problems;
import io.tidegate.config.ResourceReader;
import io.tidegate.config.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resources kept as etcd keeps them, one JSON value per key in APISIX's layout
 * ({@code <prefix>/routes/1}, {@code <prefix>/consumers/jack}), read as {@link Resources} with
 * every error named by its key: strictly for the Admin API's check of a write ({@link #read}: a
 * value that fails, or refers to something missing, is left out), or each value on its own for the
 * etcd source, which decides key by key what serves ({@link #readOne}, {@link LastGoodVersions}).
 */
public final class KeyedResources {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Which field names a resource of each type: the last segment of its key. */
    public static String idField(String type) {
        return "consumers".equals(type) ? "username" : "id";
    }

    /** Where a key sits: its resource type and id, or null for keys of other kinds (APISIX keeps more). */
    public record Place(String type, String id) {}

    /** The outcome: what serves, and each rejected key with its errors (paths relative to the key). */
    public record Result(Resources resources, Map<String, List<String>> rejected, KeysByList keys) {
        /** Errors about {@link #resources} (say, from compiling them) sorted by key; see {@link KeysByList#attribute}. */
        public Map<String, List<String>> attribute(List<Problem> problems) {
            return keys.attribute(problems);
        }
    }

    /** An error no key explains is filed under this name. */
    public static final String NO_KEY = "";

    private final String prefix;

    public KeyedResources(String prefix) {
        this.prefix = prefix;
    }

    public Place place(String key) {
        if (!key.startsWith(prefix + "/")) {
            return null;
        }
        String[] parts = key.substring(prefix.length() + 1).split("/", -1);
        if (parts.length != 2 || parts[1].isEmpty() || !ResourceReader.RESOURCE_LISTS.contains(parts[0])) {
            return null;
        }
        return new Place(parts[0], parts[1]);
    }

    public String key(String type, String id) {
        return prefix + "/" + type + "/" + id;
    }

    /**
     * Reads every value, leaving out those that fail; repeats until what is left is consistent (a
     * route whose upstream was left out goes too). {@code values}: key to JSON text, in the order
     * the lists get them (of two consumers sharing a credential, the later is the one in error).
     * The Admin API's check of a write: a reference to something missing is an error there.
     */
    public Result read(Map<String, String> values) {
        Map<String, List<String>> rejected = new LinkedHashMap<>();
        Map<String, JsonNode> parsed = new LinkedHashMap<>();
        values.forEach((key, text) -> {
            Place place = place(key);
            if (place == null) {
                return;
            }
            Parsed value = parse(place, text);
            if (value.problem() != null) {
                rejected.put(key, List.of(value.problem()));
            } else {
                parsed.put(key, value.value());
            }
        });
        while (true) {
            Assembly assembly = assemble(parsed);
            Problems problems = new Problems();
            Resources resources = new ResourceReader(problems).read(assembly.root, "");
            Map<String, List<String>> failed = assembly.keys.attribute(problems.problems());
            List<String> unexplained = failed.remove(NO_KEY);
            if (failed.isEmpty()) {
                if (unexplained != null) {
                    rejected.put(NO_KEY, unexplained);
                }
                return new Result(resources, rejected, assembly.keys);
            }
            failed.forEach((key, errors) -> {
                rejected.put(key, errors);
                parsed.remove(key);
            });
        }
    }

    /**
     * One value read on its own, as {@link ResourceReader#readEach} reads each item: references are
     * not checked (a route whose upstream is gone still reads; what that means is the compiler's
     * business).
     *
     * @param record the record read ({@link io.tidegate.config.Route}, ...); usable only when
     *               {@code errors} is empty
     * @param errors what is wrong with it, paths relative to its key
     */
    public record ItemRead(Object record, List<String> errors) {}

    /** Reads one parsed value of the type {@code place} says. */
    public ItemRead readOne(Place place, ObjectNode value) {
        ObjectNode root = NODES.objectNode();
        root.putArray(place.type()).add(value);
        Problems problems = new Problems();
        Resources read = new ResourceReader(problems).readEach(root, "");
        List<?> items = switch (place.type()) {
            case "routes" -> read.routes();
            case "upstreams" -> read.upstreams();
            case "services" -> read.services();
            case "consumers" -> read.consumers();
            case "ssls" -> read.ssls();
            case "global_rules" -> read.globalRules();
            case "plugin_configs" -> read.pluginConfigs();
            case "protos" -> read.protos();
            default -> throw new IllegalArgumentException("not a resource type: " + place.type());
        };
        List<String> errors = new ArrayList<>();
        new KeysByList(Map.of(place.type(), List.of(place.type()))).attribute(problems.problems())
                .values().forEach(errors::addAll);
        return new ItemRead(items.isEmpty() ? null : items.get(0), List.copyOf(errors));
    }

    /**
     * A value parsed: usable when {@code problem} is null. {@code value} is the object (its id
     * claimed) whenever the text is one, even with a problem, for a caller that still wants to read
     * parts of it.
     */
    public record Parsed(ObjectNode value, String problem) {}

    /** Parses one value; {@link Parsed#problem} says why it is unusable (not JSON, not an object, another id). */
    public Parsed parse(Place place, String text) {
        JsonNode value;
        try {
            value = ConfigLoader.parseJson(text);
        } catch (JsonProcessingException e) {
            return new Parsed(null, "not valid JSON: " + e.getOriginalMessage());
        }
        if (!value.isObject()) {
            return new Parsed(null, "must be a JSON object");
        }
        return new Parsed((ObjectNode) value, claimId((ObjectNode) value, place));
    }

    /** The value's id must be the key's (it is filled in when absent, as APISIX's Admin API does). */
    private static String claimId(ObjectNode value, Place place) {
        String field = idField(place.type());
        JsonNode id = value.get(field);
        if (id == null || id.isNull()) {
            value.put(field, place.id());
            return null;
        }
        return id.asText().equals(place.id()) ? null : field + ": \"" + id.asText() + "\" does not match the key's \"" + place.id() + "\"";
    }

    /** The values as APISIX resource lists, remembering which key each list index came from. */
    private Assembly assemble(Map<String, ? extends JsonNode> values) {
        ObjectNode root = NODES.objectNode();
        Map<String, List<String>> keysByList = new HashMap<>();
        values.forEach((key, value) -> {
            Place place = place(key);
            ArrayNode list = root.has(place.type()) ? (ArrayNode) root.get(place.type()) : root.putArray(place.type());
            list.add(value);
            keysByList.computeIfAbsent(place.type(), t -> new ArrayList<>()).add(key);
        });
        return new Assembly(root, new KeysByList(keysByList));
    }

    /** Resource lists built from keys, and the way back from an error's path to its key. */
    private record Assembly(ObjectNode root, KeysByList keys) {}

    /** Which key each item of each resource list came from: the way back from an error's path to its key. */
    public record KeysByList(Map<String, List<String>> keysByList) {
        /**
         * Sorts problems ({@code routes[3].uri}: {@code must start with /}) by the key they concern,
         * each as its text with the path made relative to that key; a problem no key explains is
         * returned under the empty key, whole.
         */
        public Map<String, List<String>> attribute(List<Problem> problems) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (Problem problem : problems) {
                String key = null;
                for (Map.Entry<String, List<String>> list : keysByList.entrySet()) {
                    int index = problem.itemOf(list.getKey());
                    if (index >= 0 && index < list.getValue().size()) {
                        key = list.getValue().get(index);
                        out.computeIfAbsent(key, k -> new ArrayList<>()).add(problem.relativeTo(list.getKey(), index).text());
                        break;
                    }
                }
                if (key == null) {
                    out.computeIfAbsent(NO_KEY, k -> new ArrayList<>()).add(problem.text());
                }
            }
            return out;
        }
    }
}
