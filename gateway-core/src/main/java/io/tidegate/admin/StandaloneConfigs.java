package io.tidegate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tidegate.config.ConfigException;
import io.tidegate.config.Problem;
import io.tidegate.config.Problems;
import io.tidegate.config.Resources;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * APISIX's API-driven standalone mode ({@code /apisix/admin/configs}): the Admin API without etcd,
 * where each PUT replaces the whole configuration. As in APISIX, a PUT must carry {@code X-Digest}
 * (the same digest again is a 204 that changes nothing); each list keeps a
 * {@code <list>_conf_version}: a PUT with a greater one replaces that list, an equal one keeps it
 * as it is, a smaller one is refused (400), and without one the list is replaced and its version
 * goes up by one; an item with the {@code modifiedIndex} it already has is kept as it is. Unlike APISIX, the whole new configuration is validated and compiled before
 * anything changes (references included), and, with a state file, written there before it serves,
 * so that a restart starts from it.
 */
final class StandaloneConfigs {
    private static final Logger log = LoggerFactory.getLogger(StandaloneConfigs.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // "2" stays a string: unquoted, it would read back as a number
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS).build();

    /** Serves a checked configuration; throws when it does not compile (nothing then changes). */
    @FunctionalInterface
    interface Target {
        void serve(Resources resources) throws ConfigException;
    }

    private final ConfigValidation validation;
    private final Target target;
    private final Path stateFile;
    private ObjectNode current;
    /** Set once this gateway hands over to a newer one: the configuration it sent must stay the last. */
    private boolean handedOver;

    /**
     * @param initial what {@link #readState} read (it serves already)
     * @param stateFile where each accepted configuration is written, or null to keep it in memory only
     */
    StandaloneConfigs(ObjectNode initial, ConfigValidation validation, Target target, Path stateFile) {
        this.current = initial;
        this.validation = validation;
        this.target = target;
        this.stateFile = stateFile;
    }

    /** The configuration a state file holds (an empty one when there is no file yet); invalid content is an error naming the file. */
    static ObjectNode readState(Path stateFile) throws ConfigException {
        if (stateFile == null || !Files.exists(stateFile)) {
            return empty();
        }
        try {
            JsonNode read = JSON.readTree(Files.readAllBytes(stateFile));
            if (read instanceof ObjectNode document) {
                return document;
            }
            throw new ConfigException(stateFile + ": must be a JSON object (the configuration PUT to /apisix/admin/configs)");
        } catch (JsonProcessingException e) {
            throw new ConfigException(stateFile + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(stateFile + ": cannot be read: " + e.getMessage());
        }
    }

    /** The resources of a document {@link #readState} returned; problems are named under the state file. */
    static Resources resources(ObjectNode document, Path stateFile) throws ConfigException {
        Problems problems = new Problems();
        Resources resources = ConfigDocument.read(document, problems);
        if (!problems.isEmpty()) {
            String where = stateFile == null ? "configs" : stateFile.toString();
            throw ConfigException.of(problems.problems().stream().map(p -> new Problem(Problems.join(where, p.path()), p.message())).toList());
        }
        return resources;
    }

    private static ObjectNode empty() {
        ObjectNode document = JsonNodeFactory.instance.objectNode();
        ConfigDocument.LISTS.forEach(list -> document.put(list + ConfigDocument.VERSION_SUFFIX, 0));
        return document;
    }

    synchronized Reply get(String accept) {
        Reply reply;
        if (accept != null && accept.startsWith("application/yaml")) {
            try {
                reply = Reply.text(200, YAML.writeValueAsString(current), "application/yaml");
            } catch (JsonProcessingException e) {
                return Reply.error(500, "failed to encode yaml: " + e.getOriginalMessage());
            }
        } else {
            reply = Reply.text(200, current.toString(), "application/json");  // as APISIX: the document as is, no newline
        }
        return withMetadata(reply);
    }

    /** A copy of the configuration in force. */
    synchronized ObjectNode current() {
        return current.deepCopy();
    }

    synchronized Reply head() {
        return withMetadata(Reply.empty(200));
    }

    private Reply withMetadata(Reply reply) {
        for (String name : List.of(ConfigDocument.LAST_MODIFIED, ConfigDocument.DIGEST)) {
            if (current.hasNonNull(name)) {
                reply = reply.withHeader(name, current.get(name).asText());
            }
        }
        return reply;
    }

    /** @param digest the request's X-Digest (the Admin API answers a request without one itself, before reading its body) */
    synchronized Reply put(String digest, ObjectNode body) {
        if (handedOver) {
            return Reply.error(503, "this gateway is handing over to a newer one (--upgrade); send the request again");
        }
        if (digest.equals(current.path(ConfigDocument.DIGEST).asText(null))) {
            return Reply.empty(204);
        }
        for (String list : ConfigDocument.LISTS) {
            if (ConfigDocument.badVersionType(body, list) != null) {
                return Reply.error(400, list + ConfigDocument.VERSION_SUFFIX + " must be a number");
            }
        }
        ObjectNode next = JsonNodeFactory.instance.objectNode();
        for (String list : ConfigDocument.LISTS) {
            String versionField = list + ConfigDocument.VERSION_SUFFIX;
            long version = current.path(versionField).asLong(0);
            JsonNode given = body.get(versionField);
            long nextVersion = given == null || given.isNull() ? version + 1 : given.asLong();
            if (nextVersion < version) {
                return Reply.error(400, versionField + " must be greater than or equal to (" + version + ")");
            }
            next.put(versionField, nextVersion);
            JsonNode items = nextVersion == version ? current.get(list) : unchangedKept(current.get(list), body.get(list));
            if (items != null && !items.isNull() && !(items.isArray() && items.isEmpty())) {
                next.set(list, items.deepCopy());
            }
        }
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!ConfigDocument.LISTS.contains(name) && !name.endsWith(ConfigDocument.VERSION_SUFFIX)
                    && !name.equals(ConfigDocument.DIGEST) && !name.equals(ConfigDocument.LAST_MODIFIED)) {
                next.set(name, body.get(name));  // what Tidegate does not serve: validation names it
            }
        }
        List<Problem> problems = validation.problems(next);
        if (!problems.isEmpty()) {
            return Reply.error(400, String.join("; ", problems.stream().map(Problem::text).toList()));
        }
        long now = System.currentTimeMillis() / 1000;
        next.put(ConfigDocument.LAST_MODIFIED, now);
        next.put(ConfigDocument.DIGEST, digest);
        ObjectNode previous = current;
        try {
            save(next);
            target.serve(ConfigDocument.read(next, new Problems()));
        } catch (IOException e) {
            log.error("admin PUT /apisix/admin/configs: cannot write {}; the configuration in use is unchanged", stateFile, e);
            return Reply.error(500, "cannot save the configuration: " + e.getMessage());
        } catch (ConfigException e) {
            // validated a moment ago; a plugin jar changed in between, say
            restore(previous);
            return Reply.error(400, String.join("; ", e.errors()));
        }
        current = next;
        return Reply.empty(202).withHeader(ConfigDocument.LAST_MODIFIED, Long.toString(now)).withHeader(ConfigDocument.DIGEST, digest);
    }

    /**
     * The configuration as it stands, for a newer gateway taking over; until {@link #resume}, this
     * one accepts no change (503), so what it hands over stays the last word. A change in progress
     * finishes first.
     */
    synchronized String freeze() {
        handedOver = true;
        return current.toString();
    }

    /** The newer gateway backed out of taking over: changes are accepted again. */
    synchronized void resume() {
        handedOver = false;
    }

    /** A configuration another gateway handed over ({@link #freeze}). */
    static ObjectNode parseState(String handedOver) throws ConfigException {
        try {
            if (JSON.readTree(handedOver) instanceof ObjectNode document) {
                return document;
            }
        } catch (JsonProcessingException e) {
            throw new ConfigException("the configuration handed over is not JSON: " + e.getOriginalMessage());
        }
        throw new ConfigException("the configuration handed over is not a JSON object");
    }

    /**
     * {@code given} where each item that carries the same id and {@code modifiedIndex} as a
     * current one is that current item, as APISIX takes it: the client says it has not changed.
     */
    private static JsonNode unchangedKept(JsonNode current, JsonNode given) {
        if (current == null || !current.isArray() || given == null || !given.isArray()) {
            return given;
        }
        java.util.Map<String, JsonNode> byId = new java.util.HashMap<>();
        current.forEach(item -> {
            if (item.hasNonNull("modifiedIndex")) {
                byId.put(identity(item), item);
            }
        });
        com.fasterxml.jackson.databind.node.ArrayNode out = JsonNodeFactory.instance.arrayNode();
        given.forEach(item -> {
            JsonNode same = item.hasNonNull("modifiedIndex") ? byId.get(identity(item)) : null;
            out.add(same != null && same.get("modifiedIndex").equals(item.get("modifiedIndex")) ? same : item);
        });
        return out;
    }

    private static String identity(JsonNode item) {
        return item.path("id").asText(item.path("username").asText(""));
    }

    private void restore(ObjectNode previous) {
        try {
            save(previous);
        } catch (IOException e) {
            log.error("cannot write the serving configuration back to {}: a restart would start from the refused one", stateFile, e);
        }
    }

    /** Writes {@code document} to the state file in one step (a reader or a crash sees the old file or the new one), owner-only. */
    private void save(ObjectNode document) throws IOException {
        if (stateFile == null) {
            return;
        }
        Path dir = stateFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve(stateFile.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
            // not POSIX: the folder's own permissions apply
        }
        Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(document));
        try {
            Files.move(temp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, stateFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
