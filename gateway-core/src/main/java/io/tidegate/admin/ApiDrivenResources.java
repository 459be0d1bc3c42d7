package io.tidegate.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.Problem;
import java.util.List;
import java.util.UUID;

/**
 * The resources of API-driven standalone mode: each change is a PUT of the whole configuration
 * with that one list changed ({@code /apisix/admin/configs}'s rules: the list's version goes up,
 * the others are kept as they are), made while holding the configuration, so that no other PUT
 * lands between reading it and writing it.
 */
final class ApiDrivenResources implements ResourceStore {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final StandaloneConfigs configs;
    private final ConfigValidation validation;
    private final String detail;
    private final String readOnly;

    ApiDrivenResources(StandaloneConfigs configs, ConfigValidation validation, String detail, String readOnly) {
        this.configs = configs;
        this.validation = validation;
        this.detail = detail;
        this.readOnly = readOnly;
    }

    @Override
    public String mode() {
        return "api";
    }

    @Override
    public String readOnlyReason() {
        return readOnly;
    }

    @Override
    public String detail() {
        return detail;
    }

    @Override
    public ObjectNode document() {
        ObjectNode current = configs.current();
        ObjectNode document = NODES.objectNode();
        for (String list : LISTS) {
            document.set(list, current.path(list).isArray() ? current.get(list) : NODES.arrayNode());
        }
        return document;
    }

    @Override
    public Answer put(String type, String id, ObjectNode value) {
        synchronized (configs) {
            ObjectNode next = configs.current();
            boolean created = !DocumentEdits.contains(next, type, id);
            int index = DocumentEdits.place(next, type, id, value);
            Answer refused = write(next, List.of(type), type, index, "");
            return refused != null ? refused : new Answer(created ? 201 : 200, NODES.objectNode().put("created", created));
        }
    }

    @Override
    public Answer check(String type, String id, ObjectNode value) {
        return DocumentEdits.check(configs.current(), validation, type, id, value);
    }

    @Override
    public Answer delete(String type, String id) {
        synchronized (configs) {
            ObjectNode next = configs.current();
            if (!DocumentEdits.remove(next, type, id)) {
                return Answer.of(Reply.notFound());
            }
            Answer refused = write(next, List.of(type), "", -1, "can not delete " + type + "/" + id + ", still used: ");
            return refused != null ? refused : new Answer(200, NODES.objectNode().put("deleted", id));
        }
    }

    @Override
    public Answer replace(ObjectNode lists) {
        synchronized (configs) {
            ObjectNode next = configs.current();
            for (String list : LISTS) {
                next.set(list, lists.path(list).isArray() ? lists.get(list).deepCopy() : NODES.arrayNode());
                next.withArray(list).forEach(item -> ((ObjectNode) item).remove("modifiedIndex"));
            }
            Answer refused = write(next, LISTS, "", -1, "");
            return refused != null ? refused : new Answer(200, NODES.objectNode());
        }
    }

    /**
     * PUTs {@code next} with new versions of {@code changed}; null when it serves, else the refusal,
     * its fields relative to item {@code index} of {@code list}.
     */
    private Answer write(ObjectNode next, List<String> changed, String list, int index, String prefix) {
        changed.forEach(name -> next.remove(name + ConfigDocument.VERSION_SUFFIX));  // a version higher by one
        List<Problem> problems = validation.problems(next);
        if (!problems.isEmpty()) {
            return FieldErrors.of(problems, list, index, prefix);
        }
        Reply reply = configs.put("dashboard-" + UUID.randomUUID(), next);
        return reply.status() < 300 ? null : FieldErrors.of(reply);
    }
}
