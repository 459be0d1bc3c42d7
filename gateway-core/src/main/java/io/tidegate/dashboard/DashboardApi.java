package io.tidegate.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tidegate.admin.AdminApi;
import io.tidegate.admin.ResourceStore;
import io.tidegate.config.ConfigLoader;
import io.tidegate.health.HealthCheckers;
import io.tidegate.health.HealthEvents;
import io.tidegate.plugin.LoadedPlugin;
import io.tidegate.plugin.PluginBinding;
import io.tidegate.plugin.PluginCatalog;
import io.tidegate.runtime.RoutePlan;
import io.tidegate.runtime.Snapshot;
import io.tidegate.source.KeyedResources;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The dashboard's data, {@code /ui/api/...}, all behind the admin key (header {@code X-API-KEY}
 * only: never a cookie, so no other page can use it, and never the query string, so it reaches
 * no log). Resources come from the Admin API's {@link ResourceStore}, so the dashboard reads and
 * writes the same way in every mode and every write meets the Admin API's checks; secrets are
 * masked on the way out ({@link Secrets}).
 */
public final class DashboardApi implements HttpHandler {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // "2" stays a string: unquoted, it would read back as a number
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS).build();
    private static final long MAX_BODY = 8 * 1024 * 1024;

    private final AdminApi admin;
    private final Supplier<Snapshot> snapshot;
    private final Supplier<PluginCatalog> plugins;
    private final HealthCheckers checkers;
    private final TrafficSamples traffic;
    private final ConfigHistory history;
    private final Instant startedAt = Instant.now();
    private final ObjectNode resourceSchemas = ResourceSchemas.load();

    public DashboardApi(AdminApi admin, Supplier<Snapshot> snapshot, Supplier<PluginCatalog> plugins, HealthCheckers checkers,
                        TrafficSamples traffic, ConfigHistory history) {
        this.admin = admin;
        this.snapshot = snapshot;
        this.plugins = plugins;
        this.checkers = checkers;
        this.traffic = traffic;
        this.history = history;
    }

    /** Records the configuration now in force, unless it is the newest recorded already. */
    public void recordVersion(String cause) {
        history.record(store().document(), snapshot.get().version(), cause);
    }

    /** Records what a write of the dashboard's own made, under its cause even when the swap recorded it first. */
    private void recordWrite(String cause) {
        history.record(store().document(), snapshot.get().version(), cause, true);
    }

    private ResourceStore store() {
        return admin.resources();
    }

    private record Answer(int status, JsonNode body, String text, String contentType) {
        static Answer json(int status, JsonNode body) {
            return new Answer(status, body, null, null);
        }

        static Answer error(int status, String message) {
            return json(status, JSON.createObjectNode().put("error_msg", message));
        }
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            if (!admin.refused(exchange, false)) {  // the key from its header only: never a URL
                exchange.dispatch(this);  // etcd reads and compiles block
            }
            return;
        }
        exchange.startBlocking();
        Answer answer;
        try {
            answer = route(exchange, exchange.getRequestMethod().toString(),
                    exchange.getRequestPath().substring("/ui/api/".length()).split("/", -1));
        } catch (BadBody e) {
            answer = Answer.error(400, e.getMessage());
        }
        exchange.setStatusCode(answer.status());
        if (answer.text() != null) {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, answer.contentType());
            exchange.getResponseSender().send(answer.text());
        } else {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getResponseSender().send(JSON.writeValueAsString(answer.body()));
        }
    }

    private Answer route(HttpServerExchange exchange, String method, String[] path) throws IOException {
        String first = path[0];
        boolean get = method.equals("GET");
        if (get && path.length == 1) {
            return switch (first) {
                case "overview" -> Answer.json(200, overview());
                case "traffic" -> Answer.json(200, traffic());
                case "config" -> Answer.json(200, config());
                case "schemas" -> Answer.json(200, schemas());
                case "ssls" -> Answer.json(200, ssls());
                case "history" -> Answer.json(200, historyList());
                default -> Answer.error(404, "404 Not Found");
            };
        }
        if (get && first.equals("upstreams") && path.length == 2 && path[1].equals("health")) {
            return Answer.json(200, health());
        }
        if (get && first.equals("routes") && path.length == 3 && path[2].equals("chain")) {
            return chain(path[1]);
        }
        if (first.equals("history") && path.length >= 2) {
            return history(method, path);
        }
        if (first.equals("format") && path.length == 1 && method.equals("POST")) {
            return format(exchange);
        }
        if ((first.equals("resources") || first.equals("validate")) && path.length == 3 && ResourceStore.LISTS.contains(path[1])
                && path[2].matches("[a-zA-Z0-9-_.]{1,64}")) {
            return resource(exchange, method, first.equals("validate"), path[1], path[2]);
        }
        return Answer.error(404, "404 Not Found");
    }

    private ObjectNode overview() {
        Snapshot current = snapshot.get();
        ObjectNode out = JSON.createObjectNode();
        out.put("gateway_version", io.tidegate.Version.current());
        out.put("config_version", current.version());
        ResourceStore store = store();
        out.putObject("source").put("mode", store.mode()).put("writable", store.readOnlyReason() == null)
                .put("detail", store.detail()).put("read_only_reason", store.readOnlyReason());
        out.put("started_at", startedAt.toString());
        out.put("uptime_seconds", java.time.Duration.between(startedAt, Instant.now()).toSeconds());
        ObjectNode document = store.document();
        ObjectNode counts = out.putObject("counts");
        ResourceStore.LISTS.forEach(list -> counts.put(list, document.path(list).size()));
        ArrayNode loaded = out.putArray("plugins");
        Map<String, List<String>> phases = phasesInUse(current);
        plugins.get().all().stream().sorted(java.util.Comparator.comparing(LoadedPlugin::name)).forEach(plugin -> loaded.add(
                described(plugin, phases.get(plugin.name()))));
        return out;
    }

    private static ObjectNode described(LoadedPlugin plugin, List<String> phases) {
        ObjectNode entry = JSON.createObjectNode().put("name", plugin.name()).put("version", plugin.version())
                .put("jar", plugin.jar()).put("priority", plugin.plugin().priority()).put("auth", plugin.authenticates());
        ArrayNode names = entry.putArray("phases");
        if (phases != null) {
            phases.forEach(names::add);
        }
        entry.put("in_use", phases != null);
        return entry;
    }

    /** The phases of each plugin some route runs now (an instance says what it implements, a type does not). */
    private static Map<String, List<String>> phasesInUse(Snapshot current) {
        Map<String, List<String>> phases = new LinkedHashMap<>();
        List<RoutePlan> plans = new ArrayList<>(current.plans().values());
        plans.add(current.unmatched().plan());
        for (RoutePlan plan : plans) {
            for (var chain : List.of(plan.globalChain(), plan.routeChain())) {
                for (PluginBinding binding : chain.bindings()) {
                    phases.computeIfAbsent(binding.name(), name -> Phases.of(binding.instance()));
                }
            }
        }
        return phases;
    }

    private ObjectNode traffic() {
        ObjectNode out = JSON.createObjectNode().put("interval_seconds", traffic.intervalSeconds());
        ArrayNode points = out.putArray("points");
        for (TrafficSamples.Point p : traffic.points()) {
            ObjectNode point = points.addObject().put("t", p.epochSecond()).put("requests", p.requests())
                    .put("rps", p.perSecond()).put("errors", p.errors()).put("error_rate", p.errorRate());
            if (Double.isNaN(p.p50Millis())) {
                point.putNull("p50_ms").putNull("p99_ms");
            } else {
                point.put("p50_ms", p.p50Millis()).put("p99_ms", p.p99Millis());
            }
        }
        return out;
    }

    private ObjectNode config() {
        ResourceStore store = store();
        ObjectNode out = JSON.createObjectNode().put("config_version", snapshot.get().version()).put("mode", store.mode())
                .put("writable", store.readOnlyReason() == null).put("read_only_reason", store.readOnlyReason());
        out.set("document", Secrets.masked(store.document()));
        return out;
    }

    private ObjectNode schemas() {
        ObjectNode out = JSON.createObjectNode();
        out.set("resources", resourceSchemas);
        ObjectNode described = out.putObject("plugins");
        Map<String, List<String>> phases = phasesInUse(snapshot.get());
        for (LoadedPlugin plugin : plugins.get().all()) {
            ObjectNode entry = described(plugin, phases.get(plugin.name()));
            entry.set("schema", plugin.configSchema().json());
            entry.set("consumer_schema", plugin.consumerSchema() == null ? null : plugin.consumerSchema().json());
            described.set(plugin.name(), entry);
        }
        return out;
    }

    private ObjectNode ssls() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("ssls");
        Instant now = Instant.now();
        store().document().path("ssls").forEach(ssl -> list.add(CertificateDetails.of(ssl, now)));
        return out;
    }

    private ObjectNode health() {
        ObjectNode out = JSON.createObjectNode();
        out.set("upstreams", io.tidegate.observe.StatusHandler.upstreams(checkers));
        ArrayNode events = out.putArray("events");
        for (HealthEvents.Event event : checkers.events().recent()) {
            events.addObject().put("time", event.time().toString()).put("upstream", event.upstream()).put("node", event.node())
                    .put("status", event.healthy() ? "healthy" : "unhealthy").put("reason", event.reason());
        }
        return out;
    }

    private Answer chain(String routeId) {
        Snapshot current = snapshot.get();
        RoutePlan plan = current.plans().get(routeId);
        if (plan == null) {
            return Answer.error(404, "route " + routeId + " is not serving");
        }
        ObjectNode out = JSON.createObjectNode().put("route_id", routeId).put("service_id", plan.serviceId())
                .put("unservable", plan.unservable());
        ArrayNode missing = out.putArray("missing_plugins");
        plan.missingPlugins().forEach(missing::add);
        out.put("upstream", plan.missingUpstream() != null ? "missing: " + plan.missingUpstream()
                : plan.upstream() == null ? null : plan.upstream().name());
        ArrayNode chain = out.putArray("plugins");
        int order = 0;
        for (var place : List.of(plan.globalChain(), plan.routeChain())) {
            for (PluginBinding binding : place.bindings()) {
                chain.addObject().put("order", ++order).put("name", binding.name()).put("priority", binding.priority())
                        .put("origin", origin(binding.owner())).putPOJO("phases", Phases.of(binding.instance()));
            }
        }
        return Answer.json(200, out);
    }

    /**
     * The resources ({@code consumers/alice}) whose secrets differ between two documents: what a
     * restore would bring back that the masked documents cannot show.
     */
    private static List<String> secretsChanged(ObjectNode then, ObjectNode now) {
        List<String> changed = new ArrayList<>();
        for (String list : ResourceStore.LISTS) {
            Map<String, JsonNode> current = new LinkedHashMap<>();
            now.path(list).forEach(item -> current.put(item.path(KeyedResources.idField(list)).asText(), item));
            for (JsonNode item : then.path(list)) {
                String id = item.path(KeyedResources.idField(list)).asText();
                JsonNode inForce = current.get(id);
                if (inForce != null && !Secrets.secretsOf(list, item).equals(Secrets.secretsOf(list, inForce))) {
                    changed.add(list + "/" + id);
                }
            }
        }
        return changed;
    }

    /** {@code route:1} is the route itself; {@code service:s} reads "service s". */
    private static String origin(String owner) {
        return owner.startsWith("route:") ? "route" : owner.replace(':', ' ');
    }

    private ObjectNode historyList() {
        ObjectNode out = JSON.createObjectNode().put("writable", store().readOnlyReason() == null);
        ArrayNode list = out.putArray("entries");
        boolean first = true;
        for (ConfigHistory.Entry entry : history.entries()) {
            list.add(describedEntry(entry).put("current", first));
            first = false;
        }
        return out;
    }

    private static ObjectNode describedEntry(ConfigHistory.Entry entry) {
        ObjectNode out = JSON.createObjectNode().put("seq", entry.seq()).put("config_version", entry.configVersion())
                .put("time", entry.time().toString()).put("cause", entry.cause());
        out.set("changes", JSON.valueToTree(entry.changes()));
        return out;
    }

    private Answer history(String method, String[] path) {
        long seq;
        try {
            seq = Long.parseLong(path[1]);
        } catch (NumberFormatException e) {
            return Answer.error(404, "404 Not Found");
        }
        ConfigHistory.Entry entry = history.entry(seq);
        if (entry == null) {
            return Answer.error(404, "no version " + path[1] + " in the history (it keeps the last 50)");
        }
        if (method.equals("GET") && path.length == 2) {
            ObjectNode then = entry.document();
            ObjectNode out = describedEntry(entry);
            ArrayNode secrets = out.putArray("secrets_changed");
            secretsChanged(then, store().document()).forEach(secrets::add);
            out.set("document", Secrets.masked(then));
            return Answer.json(200, out);
        }
        if (method.equals("POST") && path.length == 3 && path[2].equals("restore")) {
            ResourceStore.Answer answer = store().replace(entry.document());
            if (answer.status() >= 300) {
                return Answer.json(answer.status(), answer.body());
            }
            recordWrite("restore of #" + seq);
            return Answer.json(200, JSON.createObjectNode().put("config_version", snapshot.get().version()));
        }
        return Answer.error(405, "method not allowed");
    }

    private Answer resource(HttpServerExchange exchange, String method, boolean checkOnly, String list, String id) throws IOException {
        ResourceStore store = store();
        if (method.equals("DELETE") && !checkOnly) {
            return written(store.delete(list, id));
        }
        if (!(method.equals("PUT") && !checkOnly || method.equals("POST") && checkOnly)) {
            return Answer.error(405, "method not allowed");
        }
        if (store.readOnlyReason() != null) {
            return Answer.error(405, "read-only: " + store.readOnlyReason());
        }
        JsonNode body = body(exchange);
        if (!(body instanceof ObjectNode item)) {
            return Answer.error(400, "invalid request body: must be a JSON object");
        }
        ObjectNode stored = stored(store, list, id);
        List<String> masked = Secrets.unmask(list, item, stored);
        if (!masked.isEmpty()) {
            String why = list.equals("ssls") && masked.contains("key") ? "the certificate changed: give its private key"
                    : "type the value (it is masked)";
            ObjectNode error = JSON.createObjectNode().put("error_msg", masked.get(0) + ": " + why);
            ArrayNode errors = error.putArray("errors");
            masked.forEach(field -> errors.addObject().put("field", field).put("message", why));
            return Answer.json(400, error);
        }
        if (checkOnly) {
            ResourceStore.Answer answer = store.check(list, id, item);
            return Answer.json(answer.status(), answer.body());
        }
        return written(store.put(list, id, item));
    }

    /** A write's answer; accepted, it says the configuration version serving now (on etcd, the change may serve a moment later). */
    private Answer written(ResourceStore.Answer answer) {
        if (answer.status() >= 300) {
            return Answer.json(answer.status(), answer.body());
        }
        recordVersion(store().mode().equals("etcd") ? "etcd" : "admin");
        ObjectNode body = answer.body() instanceof ObjectNode object ? object.deepCopy() : JSON.createObjectNode();
        body.put("config_version", snapshot.get().version());
        return Answer.json(answer.status(), body);
    }

    private static ObjectNode stored(ResourceStore store, String list, String id) {
        String idField = KeyedResources.idField(list);
        for (JsonNode item : store.document().path(list)) {
            if (id.equals(item.path(idField).asText(null)) && item instanceof ObjectNode object) {
                return object;
            }
        }
        return null;
    }

    private Answer format(HttpServerExchange exchange) throws IOException {
        String to = exchange.getQueryParameters().getOrDefault("to", new java.util.ArrayDeque<>(List.of("json"))).peekFirst();
        String text = new String(read(exchange), StandardCharsets.UTF_8);
        try {
            String converted = to.equals("yaml") ? YAML.writeValueAsString(ConfigLoader.parseJson(text))
                    : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(ConfigLoader.parseYaml(text));
            if (converted.length() > MAX_BODY) {
                // YAML aliases copy what they name: a few hundred bytes can stand for megabytes
                return Answer.error(400, "the converted text would be larger than " + MAX_BODY + " bytes");
            }
            return new Answer(200, null, converted, to.equals("yaml") ? "text/yaml" : "application/json");
        } catch (JsonProcessingException e) {
            return Answer.error(400, (to.equals("yaml") ? "not JSON: " : "not YAML: ") + e.getOriginalMessage());
        }
    }

    private static JsonNode body(HttpServerExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        String text = new String(read(exchange), StandardCharsets.UTF_8);
        try {
            return type != null && type.startsWith("application/yaml") ? ConfigLoader.parseYaml(text) : ConfigLoader.parseJson(text);
        } catch (JsonProcessingException e) {
            throw new BadBody("invalid request body: " + e.getOriginalMessage());
        }
    }

    private static byte[] read(HttpServerExchange exchange) throws IOException {
        try (InputStream in = exchange.getInputStream()) {
            byte[] bytes = in.readNBytes((int) MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw new BadBody("request body larger than " + MAX_BODY + " bytes");
            }
            return bytes;
        }
    }

    private static final class BadBody extends RuntimeException {
        BadBody(String message) {
            super(message);
        }
    }
}
