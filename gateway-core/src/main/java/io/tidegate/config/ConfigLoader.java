package io.tidegate.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Loads {@code config.yaml}: the {@code tidegate:} server section plus APISIX's resource lists, or
 * the resources from an APISIX standalone {@code apisix.yaml} named by {@code tidegate.resources_file}
 * (relative to the config file). {@code ${{VAR}}} placeholders are replaced from the environment in
 * both files. Both are read by {@link ConfigFileReader} (regular files of bounded size only) and
 * parsed by {@link YamlTreeReader} (YAML aliases and merge keys resolved, their copies bounded).
 * Every problem found is reported at once in a {@link ConfigException}.
 */
public final class ConfigLoader {
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    /** Lists APISIX's standalone file may hold that Tidegate does not serve. */
    private static final Set<String> APISIX_UNSUPPORTED = Set.of("stream_routes", "protos", "plugin_metadata", "plugins");

    private final Function<String, String> env;
    private final ConfigFileReader files = new ConfigFileReader();

    public ConfigLoader() {
        this(System::getenv);
    }

    public ConfigLoader(Function<String, String> env) {
        this.env = env;
    }

    public GatewayConfig load(Path configFile) throws ConfigException {
        Problems problems = new Problems();
        List<SourceStamp> stamps = new ArrayList<>();
        JsonNode root = parseFile(configFile, problems, stamps);
        problems.throwIfAny();
        return read(root, configFile, problems, stamps);
    }

    /** Reads an already-parsed configuration document; {@code configFile} anchors relative paths. */
    public GatewayConfig read(JsonNode root, Path configFile, Problems problems) throws ConfigException {
        return read(root, configFile, problems, new ArrayList<>());
    }

    private GatewayConfig read(JsonNode root, Path configFile, Problems problems, List<SourceStamp> stamps) throws ConfigException {
        if (root.isMissingNode() || root.isNull()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException(configFile + ": must be a YAML mapping");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("tidegate") && !ResourceReader.RESOURCE_LISTS.contains(field)) {
                problems.add(field, "unknown field");
            }
        }
        Path baseDir = configFile.toAbsolutePath().getParent();
        ServerSettings server = new ServerSettingsReader(problems, baseDir == null ? Path.of(".") : baseDir)
                .read(root.get("tidegate"));
        if (server.etcd() != null) {
            for (String list : ResourceReader.RESOURCE_LISTS) {
                if (root.has(list)) {
                    problems.add(list, "must not be set when tidegate.etcd is used (resources live in etcd)");
                }
            }
        }
        if (server.admin() != null && !server.admin().readOnly() && server.etcd() == null && !root.path("tidegate").has("etcd")) {
            for (String list : ResourceReader.RESOURCE_LISTS) {
                if (root.has(list)) {
                    problems.add(list, "must not be set when tidegate.admin runs without tidegate.etcd "
                            + "(the configuration is PUT to /apisix/admin/configs; with tidegate.admin.read_only: true the resources come from this file)");
                }
            }
        }
        Resources resources;
        List<Path> sources = new ArrayList<>(List.of(configFile.toAbsolutePath()));
        if (server.resourcesFile() != null) {
            for (String list : ResourceReader.RESOURCE_LISTS) {
                if (root.has(list)) {
                    problems.add(list, "must not be set when tidegate.resources_file is used (resources live in one place)");
                }
            }
            Path file = resolve(configFile, server.resourcesFile());
            resources = readResourcesFile(file, problems, stamps);
            sources.add(file.toAbsolutePath());
        } else {
            resources = new ResourceReader(problems).read(PositionalIds.assign(root), "");
        }
        problems.throwIfAny();
        return new GatewayConfig(server, resources, baseDir == null ? Path.of(".").toAbsolutePath() : baseDir,
                List.copyOf(sources), List.copyOf(stamps));
    }

    /** Reads an APISIX standalone {@code apisix.yaml} (its {@code #END} marker is an ordinary comment). */
    public Resources readResourcesFile(Path file, Problems problems) {
        return readResourcesFile(file, problems, new ArrayList<>());
    }

    private Resources readResourcesFile(Path file, Problems problems, List<SourceStamp> stamps) {
        Problems parsing = new Problems();
        JsonNode root = parseFile(file, parsing, stamps);
        String prefix = file.getFileName().toString();
        if (!parsing.isEmpty()) {
            parsing.list().forEach(error -> problems.add("", error));
            return Resources.EMPTY;
        }
        if (root.isMissingNode() || root.isNull()) {
            return Resources.EMPTY;
        }
        return readResourceDocument(root, prefix, problems);
    }

    /**
     * Reads a document in APISIX's standalone format (the resource lists at the top level, items
     * without ids keyed by position), from a file or an Admin API body; {@code prefix} is
     * prepended to problem paths.
     */
    public static Resources readResourceDocument(JsonNode root, String prefix, Problems problems) {
        if (!root.isObject()) {
            problems.add(prefix, "must be a mapping");
            return Resources.EMPTY;
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (APISIX_UNSUPPORTED.contains(field)) {
                problems.add(Problems.join(prefix, field), "is not supported");
            } else if (!ResourceReader.RESOURCE_LISTS.contains(field)) {
                problems.add(Problems.join(prefix, field), "unknown field");
            }
        }
        return new ResourceReader(problems).read(PositionalIds.assign(root), prefix);
    }

    /**
     * The resource lists a configuration file holds (those of its {@code resources_file} when it
     * names one), as written, with positional ids on items that have none: what a read-only view of
     * a file-driven gateway shows. Throws when a file does not parse.
     */
    public ObjectNode resourceLists(Path configFile) throws ConfigException {
        Problems problems = new Problems();
        JsonNode root = parseFile(configFile, problems, new ArrayList<>());
        problems.throwIfAny();
        JsonNode resourcesFile = root.path("tidegate").path("resources_file");
        if (resourcesFile.isTextual()) {
            root = parseFile(resolve(configFile, resourcesFile.asText()), problems, new ArrayList<>());
            problems.throwIfAny();
        }
        ObjectNode lists = JsonNodeFactory.instance.objectNode();
        for (String list : ResourceReader.RESOURCE_LISTS) {
            if (root.path(list).isArray()) {
                lists.set(list, root.get(list));
            }
        }
        return (ObjectNode) PositionalIds.assign(lists);
    }

    /** {@code root} with APISIX's positional ids ({@code arr_1}, ...) on items that have none. */
    public static JsonNode withPositionalIds(JsonNode root) {
        return PositionalIds.assign(root);
    }

    /** Parses one YAML document as the configuration file is parsed (anchors and aliases bounded). */
    public static JsonNode parseYaml(String text) throws JsonProcessingException {
        return YamlTreeReader.read(text);
    }

    /** Parses one JSON document, e.g. a resource read from etcd or an Admin API body. */
    public static JsonNode parseJson(String text) throws JsonProcessingException {
        return JSON.readTree(text);
    }

    /** Parses the file; what it read is stamped into {@code stamps}. */
    private JsonNode parseFile(Path file, Problems problems, List<SourceStamp> stamps) {
        String text;
        try {
            text = files.read(file);
        } catch (ConfigFileReader.UnreadableFileException e) {
            problems.add(file.toString(), e.getMessage());
            return MissingNode.getInstance();
        }
        stamps.add(SourceStamp.of(file.toAbsolutePath(), text));
        text = EnvSubstitution.apply(text, env, file.toString(), problems);
        try {
            return YamlTreeReader.read(text);
        } catch (JsonProcessingException e) {
            var location = e.getLocation();
            String where = location == null ? "" : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
            problems.add(file.toString(), where + e.getOriginalMessage());
            return MissingNode.getInstance();
        }
    }

    private static Path resolve(Path configFile, String name) {
        Path path = Path.of(name);
        if (path.isAbsolute()) {
            return path;
        }
        Path dir = configFile.toAbsolutePath().getParent();
        return dir == null ? path : dir.resolve(path);
    }
}
