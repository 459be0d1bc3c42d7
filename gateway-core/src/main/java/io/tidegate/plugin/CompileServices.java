package io.tidegate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.http.VarTemplate;
import io.tidegate.plugin.api.AuthPlugin;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.LineSink;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.PluginServices.Credential;
import io.tidegate.plugin.api.Template;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What plugins may ask while one configuration version is compiled: its consumers' bound
 * credentials, the gateway's shared log files, drop counts and shared state. {@link #forPlugin}
 * gives one plugin instance its view.
 */
public record CompileServices(Map<String, List<Credential<?>>> credentials, Set<String> usernames, PluginOutputs outputs,
                              SharedStates shared, List<io.tidegate.config.Proto> protos, Map<String, Object> attributes) {
    public CompileServices {
        credentials = Map.copyOf(credentials);
        usernames = Set.copyOf(usernames);
        protos = List.copyOf(protos);
        attributes = Map.copyOf(attributes);
    }

    public CompileServices(Map<String, List<Credential<?>>> credentials, Set<String> usernames, PluginOutputs outputs) {
        this(credentials, usernames, outputs, outputs.sharedStates(), List.of(), Map.of());
    }

    /** @param attributes each plugin's bound {@code plugin_attr} ({@link PluginAttributes}) */
    public CompileServices(Map<String, List<Credential<?>>> credentials, Set<String> usernames, PluginOutputs outputs,
                           List<io.tidegate.config.Proto> protos, Map<String, Object> attributes) {
        this(credentials, usernames, outputs, outputs.sharedStates(), protos, attributes);
    }

    /** Whether {@code other} are the same protos (ids and contents) as these: the compiled plugins stand. */
    public boolean sameProtos(List<io.tidegate.config.Proto> other) {
        if (other.size() != protos.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            if (!other.get(i).id().equals(protos.get(i).id()) || !other.get(i).content().equals(protos.get(i).content())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The services one instance of {@code plugin} gets, for the configuration of {@code owner}; the
     * shared state it takes is recorded in {@code holds}, to be released when the instance closes.
     */
    public PluginServices forPlugin(GatewayPlugin<?> plugin, String owner, List<SharedStates.Hold> holds) {
        return forPlugin(plugin, owner, holds, owner, PluginUpstreams.NONE, new ArrayList<>());
    }

    /**
     * As {@link #forPlugin(GatewayPlugin, String, List)}, where the plugin may also compile upstreams
     * with {@code upstreams}; what they hold is recorded in {@code held}.
     *
     * @param place where the plugin's configuration is, for errors ({@code routes[0].plugins.traffic-split})
     */
    public PluginServices forPlugin(GatewayPlugin<?> plugin, String owner, List<SharedStates.Hold> holds, String place,
                                    PluginUpstreams upstreams, List<PluginUpstreams.Held> held) {
        return new ForPlugin(this, plugin.name(), plugin.getClass().getClassLoader(), owner, holds, place, upstreams, held);
    }

    private record ForPlugin(CompileServices version, String plugin, ClassLoader loader, String owner,
                             List<SharedStates.Hold> holds, String place, PluginUpstreams upstreams,
                             List<PluginUpstreams.Held> held) implements PluginServices {
        @Override
        public io.tidegate.plugin.api.UpstreamRef upstream(String field, JsonNode upstream) throws PluginConfigException {
            return upstreams.inline(owner + " " + plugin + "." + field, io.tidegate.config.Problems.join(place, field), upstream, held);
        }

        @Override
        public io.tidegate.plugin.api.CacheZones cacheZones() {
            return version.outputs.cacheZones();
        }

        @Override
        public byte[] proto(String id) {
            for (io.tidegate.config.Proto proto : version.protos) {
                if (proto.id().equals(id)) {
                    return proto.descriptorSet().clone();
                }
            }
            return null;
        }

        @Override
        public io.tidegate.plugin.api.UpstreamRef upstreamId(String id) {
            if (!held.contains(PluginUpstreams.BY_ID)) {
                held.add(PluginUpstreams.BY_ID);
            }
            return new UpstreamIdRef(java.util.Objects.requireNonNull(id));
        }

        @Override
        @SuppressWarnings("unchecked")
        public <K> List<Credential<K>> credentials(AuthPlugin<?, K> auth) {
            List<Credential<?>> bound = version.credentials.getOrDefault(auth.name(), List.of());
            return (List<Credential<K>>) (List<?>) bound;
        }

        @Override
        public boolean hasConsumer(String username) {
            return version.usernames.contains(username);
        }

        @Override
        public PluginLog log() {
            return Slf4jPluginLog.of(plugin, owner);
        }

        @Override
        public <A> A attributes(Class<A> type) {
            Object bound = version.attributes.get(plugin);
            if (bound == null) {
                throw new IllegalStateException(plugin + " declares no attribute schema (GatewayPlugin.attributeSchema)");
            }
            if (!type.isInstance(bound)) {
                throw new IllegalStateException(plugin + "'s attributes are a " + bound.getClass().getName() + ", not a " + type.getName());
            }
            return type.cast(bound);
        }

        @Override
        public <S extends AutoCloseable> S shared(Object key, Supplier<S> create) {
            return version.shared.acquire(plugin, loader, key, create, holds);
        }

        @Override
        public io.tidegate.plugin.api.JsonSchemaCheck jsonSchema(String field, JsonNode schema) throws PluginConfigException {
            io.tidegate.plugin.schema.BoundSchema<JsonNode> compiled;
            try {
                compiled = io.tidegate.plugin.schema.BoundSchema.userSchema(schema);
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException(field, e.getMessage());
            }
            return value -> compiled.check(value).stream()
                    .map(v -> v.field().isEmpty() ? v.message() : v.field() + ": " + v.message()).toList();
        }

        @Override
        public java.net.http.HttpClient httpClient(boolean verifyTls) {
            return shared(new OutboundHttp.Key(verifyTls), () -> new OutboundHttp(verifyTls)).client();
        }

        @Override
        public Template template(String field, String text) {
            return VarTemplate.compile(text);
        }

        @Override
        public LineSink lineSink(String path) {
            return version.outputs.lineSink(path);
        }

        @Override
        public DropCounter droppedEntries() {
            return version.outputs.droppedEntries(plugin);
        }

        @Override
        public Predicate<PluginContext> conditions(String field, JsonNode conditions) throws PluginConfigException {
            return PluginConditions.compile(field, conditions);
        }
    }
}
