package io.tidegate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.ConfigException;
import io.tidegate.source.EtcdStore;
import io.tidegate.source.EtcdStore.Expectation;
import io.tidegate.source.KeyedResources;
import io.tidegate.source.WatchedKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * The Admin API's writes. Each reads what its check depends on ({@link Dependencies}: the key
 * itself and the resources the new value refers to, not everything stored; first as this node's
 * watch delivered them, then from etcd), checks the write against that (validation, references,
 * a compile of those resources), and commits in one etcd transaction that holds only if what the
 * check read is still as read. A delete of something
 * others may refer to reads the resources that could (every route, say) and holds only if none of
 * them was written since. When another write got in between, the whole thing is done again on a
 * fresh read, so the answer always describes the state the write met: two racing writes can never
 * both succeed into an inconsistent state, and a PATCH never loses a write it did not see.
 */
final class ResourceWrites {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Attempts a write may take: the first on what the watch delivered, then up to five reading
     * etcd, each extra one meaning another write committed in between.
     */
    static final int ATTEMPTS = 6;

    private final EtcdStore store;
    private final KeyedResources keys;
    private final Dependencies dependencies;
    private final AdminApi.Validator validator;

    ResourceWrites(EtcdStore store, WatchedKeys watched, KeyedResources keys, AdminApi.Validator validator) {
        this.store = store;
        this.keys = keys;
        this.dependencies = new Dependencies(store, watched, keys);
        this.validator = validator;
    }

    /** PUT: creates (201) or replaces (200, keeping {@code create_time}) the resource with {@code body}. */
    Reply put(String type, String id, ObjectNode body) {
        return untilSettled(attempt -> write(type, id, body, stored -> body.deepCopy(), false, attempt));
    }

    /**
     * PATCH: {@code edit} turns the stored value (a fresh copy on every attempt) into the new one;
     * 404 when there is none. {@code hint}, when not null, is JSON whose references (an
     * {@code upstream_id}, ...) the new value probably has: they are read with the stored value.
     */
    Reply patch(String type, String id, JsonNode hint, UnaryOperator<ObjectNode> edit) {
        return untilSettled(attempt -> write(type, id, hint, edit, true, attempt));
    }

    /**
     * DELETE: an upstream, service or plugin config still in use is refused (400) unless forced;
     * 404 when there is nothing to delete.
     */
    Reply delete(String type, String id, boolean force) {
        String key = keys.key(type, id);
        List<String> referringTypes = References.referringTypes(type);
        if (force || referringTypes.isEmpty()) {
            return store.delete(key) ? deleted(key) : Reply.notFound();  // nothing was read, nothing to hold
        }
        List<String> folders = referringTypes.stream().map(this::folder).toList();
        return untilSettled(attempt -> {
            // deletes are rare: reading every resource that could refer to this one is fine (one round trip)
            EtcdStore.Listing read = store.read(List.of(key), folders);
            EtcdStore.Entry existing = read.entries().stream().filter(entry -> entry.key().equals(key)).findFirst().orElse(null);
            if (existing == null) {
                return Reply.notFound();
            }
            List<Expectation> expected = new ArrayList<>();
            expected.add(Expectation.unchanged(key, existing.modRevision()));
            // a user created (or changed to use it) after the read shows up as a key written under its folder
            folders.forEach(folder -> expected.add(Expectation.nothingWrittenUnder(folder, read.revision())));
            Map<String, String> candidates = new LinkedHashMap<>(read.values());
            candidates.remove(key);
            List<String> users = References.users(type, id, candidates, keys);
            if (!users.isEmpty()) {
                String singular = type.substring(0, type.length() - 1);
                return Reply.error(400, "can not delete this " + singular.replace('_', ' ') + ", " + users.get(0) + " is still using it now");
            }
            return store.deleteIf(expected, key) ? deleted(key) : null;
        });
    }

    /**
     * One attempt at a PUT or PATCH; null when it must be made again on a fresh read. The first
     * attempt reads what this node's watch has delivered, which may lag behind etcd by a write or
     * two: its commit only holds if nothing it read changed, and a refusal it comes to (an
     * upstream that does not exist, say, just created through another node) is only answered once
     * etcd itself, read by the next attempt, says so.
     */
    private Reply write(String type, String id, JsonNode hint, UnaryOperator<ObjectNode> edit, boolean mustExist, int attemptNumber) {
        Dependencies.Attempt attempt = dependencies.begin(type, keys.key(type, id), hint, attemptNumber == 0);
        try {
            Reply reply = write(type, id, edit, mustExist, attempt);
            return reply != null && reply.status() >= 400 && attempt.fromWatch() ? null : reply;
        } catch (BadRequest e) {
            if (attempt.fromWatch()) {
                return null;
            }
            throw e;
        }
    }

    private Reply write(String type, String id, UnaryOperator<ObjectNode> edit, boolean mustExist, Dependencies.Attempt attempt) {
        String idField = KeyedResources.idField(type);
        String key = keys.key(type, id);
        EtcdStore.Entry existing = attempt.existing();
        if (mustExist && existing == null) {
            return Reply.notFound();
        }
        ObjectNode stored = existing == null ? null : storedObject(existing);
        ObjectNode value = edit.apply(stored == null ? null : stored.deepCopy());
        JsonNode given = value.get(idField);
        if (given != null && !given.isNull() && !given.asText().equals(id)) {
            return Reply.error(400, idField + " \"" + given.asText() + "\" in the body does not match \"" + id + "\" in the path");
        }
        long now = System.currentTimeMillis() / 1000;
        value.put(idField, id);
        // a PATCH may set the times (APISIX allows it there, to carry them over from elsewhere); a PUT may not
        if (!(mustExist && setByEdit(value, stored, "create_time"))) {
            value.put("create_time", stored == null ? now : stored.path("create_time").asLong(now));  // a replace keeps it
        }
        if (!(mustExist && setByEdit(value, stored, "update_time"))) {
            value.put("update_time", now);
        }
        String text = text(value);

        Dependencies.Read read = attempt.complete(value);
        List<String> errors = problems(read.with(key, text), key);
        if (errors != null) {
            return Reply.error(400, String.join("; ", errors));
        }
        if (!store.putIf(read.held(), key, text)) {
            return null;
        }
        ObjectNode body = JSON.createObjectNode().put("key", key);
        body.set("value", value);
        return new Reply(existing == null ? 201 : 200, body);
    }

    /** Whether the edit gave {@code field} a number other than the stored one. */
    private static boolean setByEdit(ObjectNode edited, ObjectNode stored, String field) {
        JsonNode now = edited.get(field);
        return now != null && now.isIntegralNumber() && (stored == null || !now.equals(stored.get(field)));
    }

    /** The errors that concern {@code key} when the {@code values} are read and compiled together; null when none. */
    private List<String> problems(Map<String, String> values, String key) {
        KeyedResources.Result result = keys.read(values);
        List<String> errors = result.rejected().get(key);
        if (errors == null) {
            try {
                validator.check(result.resources());
            } catch (ConfigException e) {
                errors = result.attribute(e.problems()).get(key);
            }
        }
        return errors;
    }

    /** Runs attempts (numbered from 0) until one settles on an answer; a request that keeps losing races is told so. */
    private static Reply untilSettled(IntFunction<Reply> attempt) {
        for (int i = 0; i < ATTEMPTS; i++) {
            Reply reply = attempt.apply(i);
            if (reply != null) {
                return reply;
            }
        }
        return Reply.error(409, "other writes kept changing what this one depends on; try again");
    }

    private String folder(String type) {
        return keys.key(type, "");
    }

    private static ObjectNode storedObject(EtcdStore.Entry entry) {
        try {
            JsonNode value = JSON.readTree(entry.value());
            if (value instanceof ObjectNode object) {
                return object;
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new BadRequest("the stored value of " + entry.key() + " is not a JSON object; replace it with PUT");
    }

    private static String text(JsonNode value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);  // a tree built in memory always serialises
        }
    }

    private static Reply deleted(String key) {
        return new Reply(200, JSON.createObjectNode().put("deleted", "1").put("key", key));
    }
}
