package io.tidegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigLoader;
import io.tidegate.config.Problem;
import io.tidegate.config.Problems;
import io.tidegate.config.ResourceReader;
import io.tidegate.config.Resources;
import java.util.List;

/**
 * Checks without writing: APISIX's {@code POST /apisix/admin/configs/validate} (a whole
 * configuration, every error listed) and {@code POST /apisix/admin/schema/validate/{list}} (one
 * item on its own). A configuration is checked as a PUT of it would be: each item, the references
 * between them, and a compile with the loaded plugins, so "valid" here means a PUT would serve it.
 */
final class ConfigValidation {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final AdminApi.Validator validator;

    ConfigValidation(AdminApi.Validator validator) {
        this.validator = validator;
    }

    /** 200 {@code {}}, or 400 with {@code errors: [{resource_type, resource_id, index, error}]}. */
    Reply configs(ObjectNode document) {
        ArrayNode errors = NODES.arrayNode();
        for (String list : ConfigDocument.LISTS) {
            String bad = ConfigDocument.badVersionType(document, list);
            if (bad != null) {
                errors.addObject().put("resource_type", list).put("error", list + ConfigDocument.VERSION_SUFFIX + " must be a number, got " + bad);
            }
        }
        List<Problem> problems = problems(document);
        for (Problem problem : problems) {
            errors.add(described(problem, document));
        }
        if (errors.isEmpty()) {
            return new Reply(200, NODES.objectNode());
        }
        ObjectNode body = NODES.objectNode().put("error_msg", "Configuration validation failed");
        body.set("errors", errors);
        return new Reply(400, body);
    }

    /** The problems a PUT of {@code document} would meet: reading it, then compiling it. */
    List<Problem> problems(ObjectNode document) {
        Problems problems = new Problems();
        Resources resources = ConfigDocument.read(document, problems);
        if (!problems.isEmpty()) {
            return problems.problems();
        }
        try {
            validator.check(resources);
            return List.of();
        } catch (ConfigException e) {
            return e.problems();
        }
    }

    /** 200 when {@code item} is a valid {@code list} item on its own (its references are not followed), else 400. */
    Reply item(String list, JsonNode item) {
        if (!ResourceReader.RESOURCE_LISTS.contains(list)) {
            return Reply.error(404, "Unsupported resource type: " + list);
        }
        ObjectNode document = NODES.objectNode();
        document.putArray(list).add(item);
        Problems problems = new Problems();
        new ResourceReader(problems).readEach(ConfigLoader.withPositionalIds(document), "");
        if (problems.isEmpty()) {
            return Reply.empty(200);
        }
        return Reply.error(400, String.join("; ", problems.problems().stream().map(p -> p.relativeTo(list, 0).text()).toList()));
    }

    private static ObjectNode described(Problem problem, ObjectNode document) {
        ObjectNode error = NODES.objectNode();
        for (String list : ResourceReader.RESOURCE_LISTS) {
            int index = problem.itemOf(list);
            if (index >= 0) {
                JsonNode item = document.path(list).path(index);
                String id = item.path(list.equals("consumers") ? "username" : "id").asText("");
                error.put("resource_type", list).put("resource_id", id).put("index", index)
                        .put("error", problem.relativeTo(list, index).text());
                return error;
            }
        }
        int dot = problem.path().indexOf('.');
        String type = dot < 0 ? problem.path() : problem.path().substring(0, dot);
        return error.put("resource_type", type).put("error", problem.text());
    }
}
