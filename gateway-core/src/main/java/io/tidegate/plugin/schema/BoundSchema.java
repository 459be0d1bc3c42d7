package io.tidegate.plugin.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.networknt.schema.Error;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Result;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.walk.ApplyDefaultsStrategy;
import com.networknt.schema.walk.WalkConfig;
import io.tidegate.config.Problem;
import io.tidegate.plugin.api.ConfigSchema;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A plugin's declared configuration, compiled once: checks a configuration against the JSON Schema,
 * fills in its defaults and binds it to the plugin's record. Every violation is reported, at its
 * path, in the gateway's words ({@code count: must be an integer > 0}). Thread-safe.
 */
public final class BoundSchema<C> {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema DRAFT7 = REGISTRY.getSchema(com.networknt.schema.SchemaLocation.of("http://json-schema.org/draft-07/schema#"));
    /** Records bind snake_case fields to camelCase components; the schema, not Jackson, decides what is unknown. */
    private static final ObjectMapper BINDER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    private static final WalkConfig FILL_DEFAULTS = WalkConfig.builder()
            .applyDefaultsStrategy(new ApplyDefaultsStrategy(true, false, false)).build();

    private final ConfigSchema<C> declared;
    private final JsonNode root;
    private final Schema schema;
    /** The fields the schema declares anywhere at the top level; null when it allows others. */
    private final Set<String> known;

    private BoundSchema(ConfigSchema<C> declared, JsonNode root, Schema schema, Set<String> known) {
        this.declared = declared;
        this.root = root;
        this.schema = schema;
        this.known = known;
    }

    /**
     * Compiles a declared schema.
     *
     * @throws IllegalArgumentException when the schema is not a JSON object or not a valid schema
     */
    public static <C> BoundSchema<C> compile(ConfigSchema<C> declared) {
        JsonNode root;
        try {
            root = JSON.readTree(declared.json());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("its schema is not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("its schema is not a JSON object");
        }
        Schema compiled;
        try {
            compiled = REGISTRY.getSchema(declared.json(), InputFormat.JSON);
            compiled.initializeValidators();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("its schema cannot be compiled: " + e.getMessage(), e);
        }
        return new BoundSchema<>(declared, root, compiled, knownFields(root));
    }

    /** The schema as declared, for the Admin API to serve. */
    public JsonNode json() {
        return root.deepCopy();
    }

    public Class<C> type() {
        return declared.type();
    }

    /**
     * Checks {@code config} (left unchanged), fills defaults and binds it.
     *
     * @throws InvalidConfig with every violation, each at its path inside the configuration
     */
    public C bind(JsonNode config) throws InvalidConfig {
        JsonNode filled = config.deepCopy();
        List<ConfigViolation> violations = new ArrayList<>();
        if (filled.isObject() && known != null) {
            for (Iterator<String> names = filled.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!known.contains(name)) {
                    violations.add(new ConfigViolation(Problem.oneLine(name), "unknown field"));
                }
            }
        }
        root.path("properties").fields().forEachRemaining(
                property -> unknownInside(filled.get(property.getKey()), property.getValue(), Problem.oneLine(property.getKey()), violations));
        Map<String, ConfigViolation> byField = new LinkedHashMap<>();
        violations.forEach(v -> byField.putIfAbsent(v.field(), v));
        schemaViolations(filled, true, byField);
        byField.values().removeIf(Objects::isNull);
        if (!byField.isEmpty()) {
            throw new InvalidConfig(List.copyOf(byField.values()));
        }
        try {
            return BINDER.treeToValue(filled, declared.type());
        } catch (JsonProcessingException e) {
            // the schema let through what the record cannot hold: the plugin's declaration disagrees with itself
            String field = e instanceof JsonMappingException mapping ? path(mapping.getPath()) : "";
            throw new InvalidConfig(List.of(new ConfigViolation(field, "cannot be read as the plugin expects: " + e.getOriginalMessage())));
        }
    }

    /**
     * A JSON Schema a plugin takes in its configuration (request-validation's body_schema): checked
     * against draft 7's meta-schema (bundled with the validator, never fetched), then compiled.
     *
     * @throws IllegalArgumentException naming what is wrong with the schema
     */
    public static BoundSchema<JsonNode> userSchema(JsonNode schema) {
        List<String> problems = new ArrayList<>();
        for (Error error : DRAFT7.validate(schema)) {
            String at = path(error.getInstanceLocation());
            problems.add((at.isEmpty() ? "" : at + ": ") + error.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("is not a valid JSON Schema: " + String.join("; ", problems));
        }
        return compile(ConfigSchema.of(JsonNode.class, schema.toString()));
    }

    /**
     * Checks a value (a request body, say) against the schema alone: no unknown-field rule and
     * nothing filled in, so only what the schema itself says. Every violation at its path; empty
     * when the value is valid.
     */
    public List<ConfigViolation> check(JsonNode value) {
        Map<String, ConfigViolation> byField = new LinkedHashMap<>();
        schemaViolations(value, false, byField);
        byField.values().removeIf(Objects::isNull);
        return List.copyOf(byField.values());
    }

    /** The schema's violations of {@code value} into {@code byField}, defaults filled into it when asked. */
    private void schemaViolations(JsonNode value, boolean fillDefaults, Map<String, ConfigViolation> byField) {
        Result result = fillDefaults ? schema.walk(new ExecutionContext(), value, true, context -> context.setWalkConfig(FILL_DEFAULTS))
                : schema.walk(new ExecutionContext(), value, true);
        Map<String, List<Error>> alternatives = new LinkedHashMap<>();
        for (Error error : result.getErrors()) {
            String combinator = combinator(error);
            if (combinator != null) {
                // a branch of anyOf/oneOf failed: the branches are judged together, below
                alternatives.computeIfAbsent(combinator, c -> new ArrayList<>()).add(error);
                byField.putIfAbsent(path(error.getInstanceLocation()), null);
                continue;
            }
            ConfigViolation violation = violation(error);
            byField.putIfAbsent(violation.field(), violation);
        }
        alternatives.values().forEach(branches -> {
            ConfigViolation violation = alternatives(branches);
            byField.put(violation.field(), violation);
        });
    }

    /**
     * Unknown fields below the top level, where the schema declares an object's properties plainly
     * (no additionalProperties, patternProperties or combinators deciding otherwise): a typo in a
     * nested setting is refused as one at the top is.
     */
    private static void unknownInside(JsonNode value, JsonNode schema, String path, List<ConfigViolation> out) {
        if (value == null || !schema.isObject()) {
            return;
        }
        if (value.isArray() && schema.path("items").isObject()) {
            for (int i = 0; i < value.size(); i++) {
                unknownInside(value.get(i), schema.get("items"), path + "[" + i + "]", out);
            }
            return;
        }
        JsonNode properties = schema.get("properties");
        if (!value.isObject() || properties == null) {
            return;
        }
        boolean open = schema.has("additionalProperties") || schema.has("patternProperties") || schema.has("anyOf")
                || schema.has("oneOf") || schema.has("allOf") || schema.has("if") || schema.has("dependencies");
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode declared = properties.get(name);
            if (declared == null) {
                if (!open) {
                    out.add(new ConfigViolation(path + "." + Problem.oneLine(name), "unknown field"));
                }
            } else {
                unknownInside(value.get(name), declared, path + "." + Problem.oneLine(name), out);
            }
        }
    }

    private ConfigViolation violation(Error error) {
        String at = path(error.getInstanceLocation());
        String keyword = error.getKeyword() == null ? "" : error.getKeyword();
        JsonNode owner = schemaAt(error, 1);
        switch (keyword) {
            case "required": {
                String field = join(at, error.getProperty());
                String description = SchemaDescriptions.describe(owner == null ? null : owner.path("properties").get(error.getProperty()));
                return new ConfigViolation(field, description == null ? "is required" : "is required (" + description + ")");
            }
            case "additionalProperties":
                return new ConfigViolation(join(at, Problem.oneLine(Objects.toString(error.getProperty(), ""))), "unknown field");
            case "propertyNames":
                return new ConfigViolation(join(at, Problem.oneLine(String.valueOf(error.getProperty()))), "is not an allowed name");
            case "type", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                    "enum", "const", "pattern", "minItems", "maxItems": {
                String description = SchemaDescriptions.describe(owner);
                if (description != null) {
                    return new ConfigViolation(at, "must be " + description);
                }
                break;
            }
            case "uniqueItems":
                return new ConfigViolation(at, "must not list an item twice");
            case "not": {
                JsonNode forbidden = schemaAt(error, 0);
                if (forbidden != null && forbidden.has("description")) {
                    return new ConfigViolation(at, "must not be " + forbidden.get("description").asText());
                }
                break;
            }
            case "minProperties":
                return new ConfigViolation(at, "must not be empty");
            default:
                break;
        }
        return new ConfigViolation(at, error.getMessage());
    }

    /** The evaluation path up to the first anyOf/oneOf the error lies under, or null. */
    private static String combinator(Error error) {
        NodePath evaluation = error.getEvaluationPath();
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < evaluation.getNameCount(); i++) {
            String name = evaluation.getName(i);
            prefix.append('/').append(name);
            if (name.equals("anyOf") || name.equals("oneOf")) {
                return prefix.toString();
            }
        }
        return null;
    }

    /** One violation for the failed branches of an anyOf/oneOf, at the shallowest place they name. */
    private ConfigViolation alternatives(List<Error> branches) {
        String at = null;
        List<String> required = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        for (Error error : branches) {
            String place = path(error.getInstanceLocation());
            if (at == null || place.length() < at.length()) {
                at = place;
            }
            if ("required".equals(error.getKeyword())) {
                required.add(error.getProperty());
            }
            ConfigViolation violation = violation(error);
            messages.add(violation.field().isEmpty() ? violation.message() : violation.field() + " " + violation.message());
        }
        if (required.size() == branches.size()) {
            return new ConfigViolation(at, "one of " + String.join(", ", required) + " is required");
        }
        return new ConfigViolation(at, "matches none of its allowed forms (" + String.join("; ", messages) + ")");
    }

    /** The schema object holding the failed keyword ({@code up} = 1), or further out. */
    private JsonNode schemaAt(Error error, int up) {
        if (error.getSchemaLocation() == null) {
            return null;
        }
        NodePath fragment = error.getSchemaLocation().getFragment();
        StringBuilder pointer = new StringBuilder();
        for (int i = 0; i < fragment.getNameCount() - up; i++) {
            pointer.append('/').append(fragment.getName(i).replace("~", "~0").replace("/", "~1"));
        }
        JsonNode node = root.at(pointer.toString());
        return node.isMissingNode() ? null : node;
    }

    /** {@code /headers/set/X-A} as {@code headers.set.X-A}, {@code /list/1} as {@code list[1]}. */
    private static String path(NodePath location) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                text.append('[').append(index).append(']');
            } else {
                text.append(text.length() == 0 ? "" : ".").append(Problem.oneLine(String.valueOf(element)));
            }
        }
        return text.toString();
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder text = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                text.append(text.length() == 0 ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                text.append('[').append(reference.getIndex()).append(']');
            }
        }
        return text.toString();
    }

    private static String join(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    /**
     * Field names declared at the top level, including those of combined branches ({@code allOf},
     * {@code anyOf}, {@code oneOf}, {@code if}/{@code then}/{@code else}, {@code dependencies}); null
     * when the schema itself decides about others ({@code additionalProperties},
     * {@code patternProperties}), or declares no fields at all.
     */
    private static Set<String> knownFields(JsonNode root) {
        if (root.has("additionalProperties") || root.has("patternProperties")) {
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        collect(root, names);
        for (String combiner : List.of("allOf", "anyOf", "oneOf")) {
            root.path(combiner).forEach(branch -> collect(branch, names));
        }
        for (String branch : List.of("if", "then", "else")) {
            collect(root.path(branch), names);
        }
        root.path("dependencies").forEach(dependency -> collect(dependency, names));
        return names;
    }

    private static void collect(JsonNode schema, Set<String> names) {
        schema.path("properties").fieldNames().forEachRemaining(names::add);
    }
}
