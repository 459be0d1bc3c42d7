package io.tidegate.plugin.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.plugin.CompileServices;
import io.tidegate.plugin.PluginOutputs;
import io.tidegate.plugin.SharedStates;
import io.tidegate.plugin.api.AuthPlugin;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.LineSink;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.Template;
import io.tidegate.plugin.schema.BoundSchema;
import io.tidegate.plugin.schema.ConfigViolation;
import io.tidegate.plugin.schema.InvalidConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Builds plugin instances from JSON text exactly as the gateway does (the core's schema check,
 * defaults and binding, its templates, conditions and shared state), and pushes a body through a
 * filter. What the plugin logs and writes is captured: {@link #logged()}, {@link #linesWritten}.
 * For driving every phase in order, see {@link PhaseDriver}.
 */
public final class PluginRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, List<String>> LINES = new ConcurrentHashMap<>();
    private static final List<String> LOGGED = new CopyOnWriteArrayList<>();
    /** One store for the whole test run, as one gateway has: instances of one plugin share what they ask for. */
    private static final SharedStates SHARED = new SharedStates();
    /** The shared state each instance holds, let go by {@link #close}. */
    private static final Map<PluginInstance, List<SharedStates.Hold>> HOLDS =
            java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
    private static final PluginOutputs OUTPUTS = new PluginOutputs() {
        @Override
        public LineSink lineSink(String path) {
            return line -> LINES.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(line);
        }

        @Override
        public DropCounter droppedEntries(String pluginName) {
            return DropCounter.NONE;
        }

        @Override
        public SharedStates sharedStates() {
            return SHARED;
        }
    };

    private PluginRunner() {}

    /** Lines plugins created by this runner wrote to a {@code lineSink(path)}. */
    public static List<String> linesWritten(String path) {
        return List.copyOf(LINES.getOrDefault(path, List.of()));
    }

    /**
     * Lines plugins created by this runner logged, as {@code "WARN [name route:1] text"} with the
     * placeholders filled in.
     */
    public static List<String> logged() {
        return List.copyOf(LOGGED);
    }

    /**
     * A logger that captures into {@link #logged()} as a plugin's own would, for a class under test
     * that takes a {@link PluginLog} directly.
     */
    public static PluginLog capturingLog(String plugin, String owner) {
        return new CapturingLog("[" + plugin + " " + owner + "] ");
    }

    /** Forgets the captured log lines. */
    public static void clearLogged() {
        LOGGED.clear();
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }

    /** Creates an instance as the gateway would, with no consumers. */
    public static <C> PluginInstance create(GatewayPlugin<C> plugin, String configJson) throws PluginConfigException {
        return create(plugin, configJson, Map.of());
    }

    /**
     * Creates an instance with consumers: username to credential JSON for {@code plugin} (an
     * authentication plugin), checked and bound as the gateway does. A configuration or credential
     * the gateway would refuse throws {@link PluginConfigException} naming the first violation's
     * field and message (see {@link #violations} for all of them).
     */
    public static <C> PluginInstance create(GatewayPlugin<C> plugin, String configJson, Map<String, String> credentials)
            throws PluginConfigException {
        return create(plugin, configJson, credentials, null);
    }

    /**
     * Creates an instance of a plugin that declares {@code plugin_attr} settings, with
     * {@code attributesJson} as {@code tidegate.plugin_attr.<name>} (checked and bound by its
     * attribute schema, as the gateway does; "{}" for its defaults).
     */
    public static <C> PluginInstance createWithAttributes(GatewayPlugin<C> plugin, String attributesJson, String configJson)
            throws PluginConfigException {
        return create(plugin, configJson, Map.of(), attributesJson);
    }

    private static <C> PluginInstance create(GatewayPlugin<C> plugin, String configJson, Map<String, String> credentials,
                                             String attributesJson) throws PluginConfigException {
        Map<String, Object> attributes = attributesJson == null || plugin.attributeSchema() == null ? Map.of()
                : Map.of(plugin.name(), bind(BoundSchema.compile(plugin.attributeSchema()), json(attributesJson)));
        C config = bind(BoundSchema.compile(plugin.configSchema()), json(configJson));
        Map<String, List<PluginServices.Credential<?>>> bound = new LinkedHashMap<>();
        if (plugin instanceof AuthPlugin<?, ?> auth) {
            bound.put(plugin.name(), credentials(auth, credentials));
        } else if (!credentials.isEmpty()) {
            throw new IllegalArgumentException(plugin.name() + " is not an authentication plugin: it has no credentials");
        }
        CompileServices version = new CompileServices(bound, credentials.keySet(), OUTPUTS, List.of(), attributes);
        List<SharedStates.Hold> holds = new ArrayList<>();
        PluginInstance instance = plugin.create(config, new CapturedLog(version.forPlugin(plugin, "route:1", holds), plugin.name()));
        HOLDS.put(instance, holds);
        return instance;
    }

    /**
     * Retires an instance as the gateway does when its configuration version ends: closes it and
     * lets go of the shared state it holds (closed when no other instance holds it).
     */
    public static void close(PluginInstance instance) {
        try {
            instance.close();
        } finally {
            List<SharedStates.Hold> holds = HOLDS.remove(instance);
            if (holds != null) {
                holds.forEach(SharedStates.Hold::release);
            }
        }
    }

    /** Every violation the gateway would report for this configuration, as {@code field: message}; empty when valid. */
    public static List<String> violations(GatewayPlugin<?> plugin, String configJson) {
        try {
            BoundSchema.compile(plugin.configSchema()).bind(json(configJson));
            return List.of();
        } catch (InvalidConfig e) {
            return e.violations().stream().map(v -> v.field() + ": " + v.message()).toList();
        }
    }

    private static <K> List<PluginServices.Credential<?>> credentials(AuthPlugin<?, K> auth, Map<String, String> credentials)
            throws PluginConfigException {
        BoundSchema<K> schema = BoundSchema.compile(auth.consumerSchema());
        List<PluginServices.Credential<?>> out = new ArrayList<>();
        for (Map.Entry<String, String> entry : credentials.entrySet()) {
            K credential = bind(schema, json(entry.getValue()));
            auth.checkCredential(credential);
            out.add(new PluginServices.Credential<>(entry.getKey(), credential));
        }
        return out;
    }

    private static <C> C bind(BoundSchema<C> schema, JsonNode config) throws PluginConfigException {
        try {
            return schema.bind(config);
        } catch (InvalidConfig e) {
            ConfigViolation first = e.violations().get(0);
            throw new PluginConfigException(first.field(), first.message());
        }
    }

    /**
     * Runs the chunks through {@link PluginInstance#bodyFilter} in order, then the final call, and
     * returns what the client would receive.
     */
    public static String filterBody(PluginInstance instance, PluginContext context, String... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String chunk : chunks) {
            drain(instance.bodyFilter(context, ByteBuffer.wrap(chunk.getBytes(StandardCharsets.UTF_8)), false), out);
        }
        drain(instance.bodyFilter(context, ByteBuffer.allocate(0), true), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void drain(ByteBuffer buffer, ByteArrayOutputStream out) {
        if (buffer != null) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            out.writeBytes(bytes);
        }
    }

    /** The gateway's services with the plugin's log lines captured instead of logged. */
    private record CapturedLog(PluginServices core, String plugin) implements PluginServices {
        @Override
        public <K> List<Credential<K>> credentials(AuthPlugin<?, K> auth) {
            return core.credentials(auth);
        }

        @Override
        public boolean hasConsumer(String username) {
            return core.hasConsumer(username);
        }

        @Override
        public String owner() {
            return core.owner();
        }

        @Override
        public PluginLog log() {
            return new CapturingLog("[" + plugin + " " + core.owner() + "] ");
        }

        @Override
        public <A> A attributes(Class<A> type) {
            return core.attributes(type);
        }

        @Override
        public <S extends AutoCloseable> S shared(Object key, Supplier<S> create) {
            return core.shared(key, create);
        }

        @Override
        public Template template(String field, String text) throws PluginConfigException {
            return core.template(field, text);
        }

        @Override
        public java.net.http.HttpClient httpClient(boolean verifyTls) {
            return core.httpClient(verifyTls);
        }

        @Override
        public io.tidegate.plugin.api.JsonSchemaCheck jsonSchema(String field, JsonNode schema) throws PluginConfigException {
            return core.jsonSchema(field, schema);
        }

        @Override
        public LineSink lineSink(String path) {
            return core.lineSink(path);
        }

        @Override
        public DropCounter droppedEntries() {
            return core.droppedEntries();
        }

        @Override
        public Predicate<PluginContext> conditions(String field, JsonNode conditions) throws PluginConfigException {
            return core.conditions(field, conditions);
        }

        /** Not compiled here (no gateway runs): a reference that describes the upstream's JSON. */
        @Override
        public io.tidegate.plugin.api.UpstreamRef upstream(String field, JsonNode upstream) {
            String json = upstream.toString();
            return () -> "inline " + json;
        }

        @Override
        public io.tidegate.plugin.api.UpstreamRef upstreamId(String id) {
            return core.upstreamId(id);
        }

        @Override
        public io.tidegate.plugin.api.CacheZones cacheZones() {
            return core.cacheZones();
        }
    }

    /** A plugin's log lines kept in {@link #LOGGED} as {@code "LEVEL [plugin owner] text"}, placeholders filled. */
    private record CapturingLog(String prefix) implements PluginLog {
        private void add(String level, String message, Object[] args) {
            LOGGED.add(level + " " + prefix + org.slf4j.helpers.MessageFormatter.arrayFormat(message, args).getMessage());
        }

        @Override
        public void debug(String message, Object... args) {
            add("DEBUG", message, args);
        }

        @Override
        public void info(String message, Object... args) {
            add("INFO", message, args);
        }

        @Override
        public void warn(String message, Object... args) {
            add("WARN", message, args);
        }

        @Override
        public void error(String message, Object... args) {
            add("ERROR", message, args);
        }
    }
}
