package io.tidegate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.ConfigLoader;
import io.tidegate.config.Problem;
import io.tidegate.source.EtcdStore;
import io.tidegate.source.KeyedResources;
import io.tidegate.source.WatchedKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resources in etcd: read from this node's watch (what it serves; etcd itself while the watch
 * is out of step), written one key at a time through {@link ResourceWrites}, the Admin API's
 * checked transactions.
 */
final class EtcdResources implements ResourceStore {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** What etcd keeps on a value that a write may not set. */
    private static final List<String> STAMPS = List.of("create_time", "update_time");

    private final EtcdStore store;
    private final WatchedKeys watched;
    private final KeyedResources keys;
    private final ResourceWrites writes;
    private final ConfigValidation validation;
    private final String readOnly;

    EtcdResources(EtcdStore store, WatchedKeys watched, ResourceWrites writes, ConfigValidation validation, String readOnly) {
        this.store = store;
        this.watched = watched;
        this.keys = new KeyedResources(store.prefix());
        this.writes = writes;
        this.validation = validation;
        this.readOnly = readOnly;
    }

    @Override
    public String mode() {
        return "etcd";
    }

    @Override
    public String readOnlyReason() {
        return readOnly;
    }

    @Override
    public String detail() {
        return "etcd, prefix " + store.prefix();
    }

    @Override
    public ObjectNode document() {
        WatchedKeys.View view = watched.view();
        if (view == null) {
            // out of step with etcd: read it, as an Admin API request would, within its bound
            try (EtcdStore.Bound bound = store.boundCalls(AdminApi.CALL_BOUND_MILLIS)) {
                return document(null);
            }
        }
        return document(view);
    }

    private ObjectNode document(WatchedKeys.View view) {
        ObjectNode document = NODES.objectNode();
        for (String list : LISTS) {
            String folder = keys.key(list, "");
            List<EtcdStore.Entry> entries = view != null ? view.under(folder) : store.list(folder).entries();
            ArrayNode items = document.putArray(list);
            for (EtcdStore.Entry entry : entries) {
                KeyedResources.Place place = keys.place(entry.key());
                if (place == null) {
                    continue;
                }
                try {
                    JsonNode value = ConfigLoader.parseJson(entry.value());
                    if (value instanceof ObjectNode item) {
                        item.put(KeyedResources.idField(list), place.id());
                        items.add(item);
                    }
                } catch (JsonProcessingException e) {
                    // not JSON: nothing serves from it, and nothing an editor could show
                }
            }
        }
        return document;
    }

    @Override
    public Answer put(String type, String id, ObjectNode value) {
        ObjectNode body = value.deepCopy();
        STAMPS.forEach(body::remove);
        body.put(KeyedResources.idField(type), id);
        return FieldErrors.of(writes.put(type, id, body));
    }

    @Override
    public Answer check(String type, String id, ObjectNode value) {
        return DocumentEdits.check(document(), validation, type, id, value);
    }

    @Override
    public Answer delete(String type, String id) {
        return Answer.of(writes.delete(type, id, false));
    }

    /**
     * Checked as a whole first, then written key by key in an order that never leaves a reference
     * dangling (what is referred to is written first and deleted last); each write is checked again
     * against etcd as it is then, so a change made meanwhile elsewhere is never overwritten blindly.
     */
    @Override
    public Answer replace(ObjectNode lists) {
        List<Problem> problems = validation.problems(lists);
        if (!problems.isEmpty()) {
            return FieldErrors.of(problems, "", -1, "");
        }
        ObjectNode current = document();
        int written = 0;
        for (String list : LISTS) {
            Map<String, ObjectNode> now = byId(current, list);
            for (Map.Entry<String, ObjectNode> wanted : byId(lists, list).entrySet()) {
                ObjectNode stored = now.get(wanted.getKey());
                if (stored != null && withoutStamps(stored).equals(withoutStamps(wanted.getValue()))) {
                    continue;
                }
                Answer answer = put(list, wanted.getKey(), wanted.getValue());
                if (answer.status() >= 300) {
                    return stopped(answer, list + "/" + wanted.getKey(), written);
                }
                written++;
            }
        }
        List<String> referredLast = new ArrayList<>(LISTS);
        java.util.Collections.reverse(referredLast);
        for (String list : referredLast) {
            Map<String, ObjectNode> wanted = byId(lists, list);
            for (String id : byId(current, list).keySet()) {
                if (!wanted.containsKey(id)) {
                    Answer answer = delete(list, id);
                    if (answer.status() >= 300 && answer.status() != 404) {
                        return stopped(answer, list + "/" + id, written);
                    }
                    written++;
                }
            }
        }
        return new Answer(200, NODES.objectNode().put("written", written));
    }

    private static Answer stopped(Answer answer, String at, int written) {
        ObjectNode body = answer.body() instanceof ObjectNode object ? object.deepCopy() : NODES.objectNode();
        body.put("error_msg", at + ": " + body.path("error_msg").asText("refused") + " (" + written
                + " changes before it were written; the rest were not)");
        return new Answer(answer.status(), body);
    }

    private static Map<String, ObjectNode> byId(ObjectNode document, String list) {
        Map<String, ObjectNode> items = new LinkedHashMap<>();
        for (JsonNode item : document.path(list)) {
            if (item instanceof ObjectNode object) {
                items.put(object.path(KeyedResources.idField(list)).asText(), object);
            }
        }
        return items;
    }

    private static ObjectNode withoutStamps(ObjectNode item) {
        ObjectNode copy = item.deepCopy();
        STAMPS.forEach(copy::remove);
        return copy;
    }
}
