package io.tidegate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.AdminSettings;
import io.tidegate.config.ConfigException;
import io.tidegate.config.Resources;
import io.tidegate.plugin.PluginCatalog;
import io.tidegate.source.EtcdStore;
import io.tidegate.source.KeyedResources;
import io.tidegate.source.WatchedKeys;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * APISIX's Admin API ({@code /apisix/admin/...}), HTTP in and out, in one of two modes. On etcd
 * ({@link #onEtcd}): routes, upstreams, services, consumers, ssls, global rules and plugin configs
 * one by one; every write is validated like file configuration, together with what it depends on
 * (and compiled, so a plugin rejecting its config is a 400 too), and committed only if what it was
 * validated against still holds ({@link ResourceWrites}); nothing is written when it fails. etcd
 * is the source of truth: a write serves on every node (this one included) through its watch.
 * Without etcd ({@link #standalone}, APISIX's API-driven standalone mode): the whole configuration
 * at once through {@code /apisix/admin/configs} ({@link StandaloneConfigs}). Both check without
 * writing ({@link ConfigValidation}) and describe the loaded plugins. Runs on worker threads, since
 * etcd calls block.
 */
public final class AdminApi implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/apisix/admin/";
    private static final Set<String> NO_POST = Set.of("consumers", "global_rules", "plugin_configs");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HttpString API_VERSION = new HttpString("X-API-VERSION");
    private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
    /**
     * Every etcd call an Admin API request makes is bounded by this (or etcd's {@code timeout},
     * when shorter), rather than by the timeout alone (30 s by default): a member without a leader
     * holds a call until etcd's own request timeout (5 s plus two election timeouts) or the
     * client's, and the caller is better told. A healthy cluster answers in milliseconds; the first
     * call that fails ends the request, so it is answered (503) within about this long, and at once
     * when the gateway has already found no leader for a while ({@link EtcdStore#boundCalls}).
     */
    public static final long CALL_BOUND_MILLIS = EtcdStore.WRITE_BOUND_MILLIS;
    /** How long a read that found no quorum may take to ask a member what it holds. */
    private static final long MEMBER_READ_MILLIS = 1_000;

    /** Compiles resources without serving them; throws with path-named errors when they do not compile. */
    @FunctionalInterface
    public interface Validator {
        void check(Resources resources) throws ConfigException;
    }

    private final byte[] apiKey;
    /** Both null in API-driven standalone mode (no etcd). */
    private final EtcdStore store;
    private final KeyedResources keys;
    private final ResourceWrites writes;
    /** Null with etcd. */
    private final StandaloneConfigs standalone;
    private final ConfigValidation validation;
    private final PluginDescriptions plugins;
    private final Runnable reloadPlugins;
    /** The resources one by one, for the dashboard. */
    private final ResourceStore resources;
    /** Null when writes are accepted; else why not. */
    private final String readOnly;

    private AdminApi(AdminSettings settings, EtcdStore store, ResourceWrites writes, StandaloneConfigs standalone,
                     ConfigValidation validation, Supplier<PluginCatalog> plugins, Runnable reloadPlugins,
                     java.util.function.Function<String, ResourceStore> resources) {
        this.reloadPlugins = reloadPlugins;
        this.apiKey = settings.apiKey().getBytes(StandardCharsets.UTF_8);
        this.readOnly = settings.readOnly() ? "this Admin API is read-only (tidegate.admin.read_only)" : null;
        this.resources = resources.apply(readOnly);
        this.store = store;
        this.keys = store == null ? null : new KeyedResources(store.prefix());
        this.writes = writes;
        this.standalone = standalone;
        this.validation = validation;
        this.plugins = new PluginDescriptions(plugins);
    }

    /**
     * The Admin API on etcd: resources are written there and serve on every node through its watch.
     * @param watched the keys as this node's watch sees them: what writes are checked against first
     */
    public static AdminApi onEtcd(AdminSettings settings, EtcdStore store, WatchedKeys watched, Validator validator,
                                  Supplier<PluginCatalog> plugins, Runnable reloadPlugins) {
        ResourceWrites writes = new ResourceWrites(store, watched, new KeyedResources(store.prefix()), validator);
        ConfigValidation validation = new ConfigValidation(validator);
        return new AdminApi(settings, store, writes, null, validation, plugins, reloadPlugins,
                readOnly -> new EtcdResources(store, watched, writes, validation, readOnly));
    }

    /**
     * A read-only Admin API over resources that come from the configuration file: the plugin and
     * schema reads, the checks that write nothing, and the dashboard ({@link #resources}).
     */
    public static AdminApi onFile(AdminSettings settings, Path configFile, Validator validator, Supplier<PluginCatalog> plugins,
                                  Runnable reloadPlugins) {
        return new AdminApi(settings, null, null, null, new ConfigValidation(validator), plugins, reloadPlugins,
                readOnly -> new FileResources(configFile));
    }

    /** Serves a whole configuration accepted by {@code PUT /apisix/admin/configs}; throws when it does not compile. */
    @FunctionalInterface
    public interface ConfigTarget {
        void serve(Resources resources) throws ConfigException;
    }

    /**
     * APISIX's API-driven standalone mode: no etcd; {@code /apisix/admin/configs} reads and replaces
     * the whole configuration, starting from {@code initial} (see {@link #readState}).
     * @param stateFile where accepted configurations are kept across restarts, or null for memory only
     */
    public static AdminApi standalone(AdminSettings settings, JsonNode initial, Path stateFile, Validator validator, ConfigTarget target,
                                      Supplier<PluginCatalog> plugins, Runnable reloadPlugins) {
        ConfigValidation validation = new ConfigValidation(validator);
        StandaloneConfigs configs = new StandaloneConfigs((ObjectNode) initial, validation, target::serve, stateFile);
        String detail = "API-driven (PUT /apisix/admin/configs), " + (stateFile == null ? "kept in memory only" : "kept in " + stateFile);
        return new AdminApi(settings, null, null, configs, validation, plugins, reloadPlugins,
                readOnly -> new ApiDrivenResources(configs, validation, detail, readOnly));
    }

    /** The resources one by one, as the dashboard reads and edits them. */
    public ResourceStore resources() {
        return resources;
    }

    /** Whether the key given is the admin key (compared in constant time). */
    public boolean keyMatches(String given) {
        return given != null && MessageDigest.isEqual(apiKey, given.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * API-driven standalone: the configuration, for a newer gateway taking over; until
     * {@link #resume}, this one refuses changes. Null with etcd, which keeps the configuration.
     */
    public String freeze() {
        return standalone == null ? null : standalone.freeze();
    }

    /** The newer gateway backed out of taking over: changes are accepted again. */
    public void resume() {
        if (standalone != null) {
            standalone.resume();
        }
    }

    /** The configuration another gateway handed over ({@link #freeze}), as {@link #readState} would give it. */
    public static JsonNode parseState(String handedOver) throws ConfigException {
        return StandaloneConfigs.parseState(handedOver);
    }

    /** The configuration a standalone state file holds, empty when there is none yet; an unreadable one is an error naming it. */
    public static JsonNode readState(Path stateFile) throws ConfigException {
        return StandaloneConfigs.readState(stateFile);
    }

    /** The resources of what {@link #readState} returned. */
    public static Resources resourcesOf(JsonNode state, Path stateFile) throws ConfigException {
        return StandaloneConfigs.resources((ObjectNode) state, stateFile);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            if (!refused(exchange, true)) {
                exchange.dispatch(this);
            }
            return;
        }
        exchange.startBlocking();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        // as APISIX's Admin API (enable_admin_cors): the key is never a cookie here, so no page can use it unasked
        exchange.getResponseHeaders().put(ALLOW_ORIGIN, "*");
        Reply response;
        try (EtcdStore.Bound bound = store == null ? null : store.boundCalls(CALL_BOUND_MILLIS)) {
            exchange.getResponseHeaders().put(API_VERSION, "v3");  // APISIX's, to callers with the key
            response = route(exchange);
        } catch (BadRequest e) {
            response = Reply.error(400, e.getMessage());
        } catch (EtcdStore.EtcdException e) {
            log.warn("admin {} {}: {}", exchange.getRequestMethod(), exchange.getRequestPath(), e.getMessage());
            // APISIX answers 503 {"error_msg": etcd's error} for any etcd failure; a refusal that
            // trying again would not change (permission denied, say) is no unavailability
            boolean write = !exchange.getRequestMethod().equalToString("GET");
            response = Reply.error(e.unavailable() ? 503 : 500, e.getMessage()
                    + (write && e.outcomeUnknown() ? "; the write may still apply once etcd answers: read it back before retrying" : ""));
        }
        if (response != null) {
            send(exchange, response);
        }
    }

    private static void send(HttpServerExchange exchange, Reply response) throws IOException {
        exchange.setStatusCode(response.status());
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().put(new HttpString(name), value));
        if (response.body() != null) {
            // a newline after JSON, as APISIX's core.response.exit writes it
            exchange.getResponseSender().send(JSON.writeValueAsString(response.body()) + "\n");
        } else if (response.text() != null) {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, response.contentType());
            exchange.getResponseSender().send(response.text());
        } else {
            exchange.getResponseHeaders().remove(Headers.CONTENT_TYPE);
            exchange.endExchange();
        }
    }

    /**
     * Answers 401 when the request lacks the key ({@code X-API-KEY}, or {@code ?api_key=} where
     * {@code queryAllowed}, as APISIX reads it), on the IO thread and without reading its body,
     * closing the connection after: a client without the key can neither hold one of the few
     * worker threads by announcing a body and sending it slowly, nor keep the connection. Returns
     * whether it answered.
     */
    public boolean refused(HttpServerExchange exchange, boolean queryAllowed) throws IOException {
        String given = exchange.getRequestHeaders().getFirst("X-API-KEY");
        if (given == null && queryAllowed) {
            Deque<String> query = exchange.getQueryParameters().get("api_key");
            given = query == null ? null : query.peekFirst();
        }
        if (keyMatches(given)) {
            return false;
        }
        exchange.setStatusCode(401);
        exchange.setPersistent(false);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ObjectNode body = JSON.createObjectNode().put("error_msg", "failed to check token")
                .put("description", given == null ? "missing apikey" : "wrong apikey");
        exchange.getResponseSender().send(JSON.writeValueAsString(body) + "\n");
        return true;
    }

    private Reply route(HttpServerExchange exchange) throws IOException {
        String path = exchange.getRequestPath();
        String method = exchange.getRequestMethod().toString();
        if (path.equals(PREFIX + "plugins/reload")) {
            if (!method.equals("PUT")) {
                return Reply.error(405, "please use PUT method to reload the plugins, " + method + " method is not allowed.");
            }
            reloadPlugins.run();  // what the folder watch does within a second anyway, now
            return Reply.text(200, "done", "text/plain");
        }
        if (method.equals("GET") && (path.startsWith(PREFIX + "plugins") || path.startsWith(PREFIX + "schema/plugins/"))) {
            return pluginRead(exchange, path);
        }
        if (method.equals("HEAD") && (path.equals("/apisix/admin") || path.equals(PREFIX))) {
            return Reply.empty(200);  // APISIX's liveness probe of the Admin API (after the key check)
        }
        if (!path.startsWith(PREFIX)) {
            return Reply.error(404, "404 Route Not Found");
        }
        boolean checkOnly = method.equals("POST") && (path.equals(PREFIX + "configs/validate") || path.startsWith(PREFIX + "schema/validate/"));
        if (readOnly != null && !method.equals("GET") && !method.equals("HEAD") && !checkOnly) {
            return Reply.error(405, readOnly);
        }
        if (path.equals(PREFIX + "configs/validate") && method.equals("POST")) {
            return validation.configs(RequestBodies.document(exchange));
        }
        if (path.startsWith(PREFIX + "schema/validate/") && method.equals("POST")) {
            return validation.item(path.substring((PREFIX + "schema/validate/").length()), RequestBodies.json(exchange));
        }
        if (standalone != null) {
            return path.equals(PREFIX + "configs") ? configs(exchange, method) : Reply.error(404, "404 Route Not Found");
        }
        if (store == null) {
            return Reply.error(404, "404 Route Not Found");  // resources from the file: the dashboard shows them
        }
        if (exchange.getQueryParameters().containsKey("ttl") && !method.equals("GET")) {
            // APISIX lets a write expire with an etcd lease; storing it for good instead would be a silent difference
            return Reply.error(400, "ttl is not supported: resources written here do not expire");
        }
        String rest = path.substring(PREFIX.length());
        if (rest.indexOf('/') < rest.length() - 1 && rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);  // /routes/1/ is /routes/1, as in APISIX
        }
        String[] parts = rest.split("/", -1);
        String type = parts[0];
        if (!io.tidegate.config.ResourceReader.RESOURCE_LISTS.contains(type)
                || (parts.length > 2 && !method.equals("PATCH"))
                || (parts.length == 2 && parts[1].isEmpty() && !method.equals("GET"))) {
            return Reply.error(404, "404 Route Not Found");
        }
        String id = parts.length >= 2 && !parts[1].isEmpty() ? parts[1] : null;
        if (method.equals("PATCH") && type.equals("protos")) {
            return Reply.error(405, "not supported `PATCH` method for proto");
        }
        if (parts.length > 2) {
            List<String> field = List.of(parts).subList(2, parts.length);
            return id == null || field.contains("") ? Reply.error(404, "404 Route Not Found") : patchField(exchange, type, id, field);
        }
        return switch (method) {
            case "GET" -> id == null ? list(exchange, type) : get(type, id);
            case "PUT" -> put(exchange, type, id);
            case "POST" -> NO_POST.contains(type) ? Reply.error(405, "not supported `POST` method for " + kind(type))
                    : id != null ? Reply.error(400, "wrong " + kind(type) + " id, do not need it") : post(exchange, type);
            case "PATCH" -> id == null ? Reply.error(400, "missing id") : patch(exchange, type, id);
            case "DELETE" -> id == null ? Reply.error(400, "missing id") : delete(exchange, type, id);
            default -> Reply.error(405, "method not allowed");
        };
    }

    private Reply configs(HttpServerExchange exchange, String method) throws IOException {
        return switch (method) {
            case "GET" -> standalone.get(exchange.getRequestHeaders().getFirst(Headers.ACCEPT));
            case "HEAD" -> standalone.head();
            case "PUT" -> {
                String digest = exchange.getRequestHeaders().getFirst("X-Digest");
                yield digest == null ? Reply.error(400, "missing digest header") : standalone.put(digest, RequestBodies.document(exchange));
            }
            default -> Reply.error(405, "method not allowed");
        };
    }

    private Reply get(String type, String id) {
        String key = keys.key(type, id);
        EtcdStore.Entry entry;
        try {
            entry = store.get(key);
        } catch (EtcdStore.EtcdException e) {
            if (!e.unavailable()) {
                throw e;
            }
            return fromAMember(e, body -> {
                EtcdStore.Entry held = store.get(key, true);
                if (held == null) {
                    return "a reachable member does not hold " + key;
                }
                body.setAll((ObjectNode) described(type, held));
                return "below is " + key + " as a reachable member holds it, which may miss the latest writes";
            });
        }
        return entry == null ? Reply.notFound() : new Reply(200, described(type, entry));
    }

    /**
     * A read etcd could not serve (no quorum, say) still says what it can, with APISIX's answer to
     * a failed read (503 and {@code error_msg}): what one member that answers holds, read without a
     * quorum (etcd's serializable read), which may miss writes the others committed. {@code read}
     * fills the body and says what it holds; when no member answers either, only the error is sent.
     */
    private Reply fromAMember(EtcdStore.EtcdException unavailable, java.util.function.Function<ObjectNode, String> read) {
        ObjectNode body = JSON.createObjectNode();
        String held;
        try (EtcdStore.Bound bound = store.boundCalls(MEMBER_READ_MILLIS)) {
            held = read.apply(body);
        } catch (EtcdStore.EtcdException e) {
            return Reply.error(503, unavailable.getMessage());
        }
        ObjectNode reply = JSON.createObjectNode().put("error_msg", unavailable.getMessage() + "; " + held);
        reply.setAll(body);
        return new Reply(503, reply);
    }

    private Reply list(HttpServerExchange exchange, String type) {
        ListQuery query;
        try {
            query = ListQuery.of(type, exchange.getQueryParameters());
        } catch (BadRequest e) {
            return Reply.text(400, e.getMessage(), "text/plain");  // APISIX answers this one as bare text
        }
        EtcdStore.Listing listing;
        try {
            listing = store.list(keys.key(type, ""));
        } catch (EtcdStore.EtcdException e) {
            if (!e.unavailable()) {
                throw e;
            }
            return fromAMember(e, body -> {
                body.setAll(listed(type, query, store.list(keys.key(type, ""), true)));
                return "below is the list as a reachable member holds it, which may miss the latest writes";
            });
        }
        return new Reply(200, listed(type, query, listing));
    }

    /** A list answer: {@code {"list": [...], "total": N}}. */
    private ObjectNode listed(String type, ListQuery query, EtcdStore.Listing listing) {
        List<JsonNode> entries = new java.util.ArrayList<>();
        for (EtcdStore.Entry entry : listing.entries()) {
            if (keys.place(entry.key()) != null) {  // APISIX keeps other kinds of keys in places of its own
                entries.add(described(type, entry));
            }
        }
        ListQuery.Result result = query.apply(entries);
        ObjectNode body = JSON.createObjectNode();
        body.putArray("list").addAll(result.page());
        body.put("total", result.total());
        return body;
    }

    private Reply pluginRead(HttpServerExchange exchange, String path) {
        String rest = path.startsWith(PREFIX + "schema/plugins/") ? path.substring((PREFIX + "schema/plugins/").length())
                : path.substring((PREFIX + "plugins").length());
        if (path.equals(PREFIX + "plugins/list")) {
            return plugins.list();
        }
        Deque<String> subsystem = exchange.getQueryParameters().get("subsystem");
        if (subsystem != null && !subsystem.peekFirst().equals("http") && !subsystem.peekFirst().equals("stream")) {
            return Reply.error(400, "unsupported subsystem: " + subsystem.peekFirst());
        }
        if (rest.isEmpty() || rest.equals("/")) {
            Deque<String> all = exchange.getQueryParameters().get("all");
            return all != null && "true".equals(all.peekFirst()) ? plugins.all() : Reply.error(400, "missing plugin name");
        }
        String name = rest.startsWith("/") ? rest.substring(1) : rest;
        return name.contains("/") ? Reply.error(404, "404 Route Not Found") : plugins.schema(name, exchange.getQueryParameters());
    }

    private Reply put(HttpServerExchange exchange, String type, String id) throws IOException {
        ObjectNode body = readBody(exchange);
        String idField = KeyedResources.idField(type);
        Reply refused = refusedFields(body, idField);
        if (refused != null) {
            return refused;
        }
        if (id == null) {
            id = body.path(idField).asText(null);
            if (id == null) {
                return Reply.error(400, "missing " + kind(type) + " " + idField);
            }
        }
        Reply badId = checkId(idField, id);
        return badId != null ? badId : writes.put(type, id, body);
    }

    /** POST: creates with a generated id; an id in the body is refused, as APISIX does. */
    private Reply post(HttpServerExchange exchange, String type) throws IOException {
        ObjectNode body = readBody(exchange);
        if (body.hasNonNull(KeyedResources.idField(type))) {
            return Reply.error(400, "wrong " + kind(type) + " id, do not need it");
        }
        Reply refused = refusedFields(body, KeyedResources.idField(type));
        return refused != null ? refused : writes.put(type, newId(), body);
    }

    /**
     * What a PUT or POST body may not carry, as in APISIX: the times the gateway keeps itself, and
     * an integer id below 1 (APISIX's ids are strings, or integers from 1).
     */
    private static Reply refusedFields(ObjectNode body, String idField) {
        for (String time : List.of("create_time", "update_time")) {
            for (String place : List.of("", "upstream", "plugins")) {
                JsonNode holder = place.isEmpty() ? body : body.path(place);
                if (holder.hasNonNull(time)) {
                    return Reply.error(400, "the property is forbidden:  " + (place.isEmpty() ? "" : place + ".") + time);
                }
            }
        }
        JsonNode id = body.get(idField);
        if (id != null && id.isNumber() && (!id.canConvertToExactIntegral() || id.asLong() < 1)) {
            return Reply.error(400, idField + ": must be a string or an integer of at least 1");
        }
        return null;
    }

    /** APISIX's name for one resource of a list: {@code route}, {@code global_rule}. */
    private static String kind(String type) {
        return type.substring(0, type.length() - 1);
    }

    private Reply patch(HttpServerExchange exchange, String type, String id) throws IOException {
        ObjectNode body = readBody(exchange);
        Reply badId = checkId(KeyedResources.idField(type), id);
        return badId != null ? badId : writes.patch(type, id, body, stored -> MergePatch.apply(stored, body));
    }

    /**
     * APISIX's {@code PATCH /{res}/{id}/{path}}: the body replaces the value at that path (created,
     * with any objects on the way, when absent), e.g. {@code /routes/1/upstream/nodes}.
     */
    private Reply patchField(HttpServerExchange exchange, String type, String id, List<String> field) throws IOException {
        JsonNode replacement = RequestBodies.json(exchange);
        Reply badId = checkId(KeyedResources.idField(type), id);
        return badId != null ? badId : writes.patch(type, id, null, stored -> {
            ObjectNode parent = stored;
            for (String name : field.subList(0, field.size() - 1)) {
                JsonNode child = parent.get(name);
                if (child == null || child.isNull()) {
                    child = parent.putObject(name);
                } else if (!child.isObject()) {
                    throw new BadRequest("cannot patch " + String.join("/", field) + ": " + name + " is not an object");
                }
                parent = (ObjectNode) child;
            }
            parent.set(field.get(field.size() - 1), replacement.deepCopy());
            return stored;
        });
    }

    /** The id must be one every node can store and serve; validation repeats it with the field's path. */
    private static Reply checkId(String idField, String id) {
        return id.matches("[a-zA-Z0-9-_.]{1,64}") ? null : Reply.error(400, idField + " must match ^[a-zA-Z0-9-_.]{1,64}$");
    }

    private Reply delete(HttpServerExchange exchange, String type, String id) {
        return writes.delete(type, id, "true".equals(first(exchange, "force")));
    }

    private static String first(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        return values == null ? null : values.peekFirst();
    }

    private ObjectNode readBody(HttpServerExchange exchange) throws IOException {
        JsonNode body = RequestBodies.json(exchange);
        if (!body.isObject()) {
            throw new BadRequest("invalid request body: must be a JSON object");
        }
        return (ObjectNode) body;
    }

    /** An entry as APISIX lists it; an ssl's private keys are never read back, as APISIX leaves them out. */
    private JsonNode described(String type, EtcdStore.Entry entry) {
        ObjectNode out = JSON.createObjectNode().put("key", entry.key());
        try {
            JsonNode value = JSON.readTree(entry.value());
            if (type.equals("ssls") && value instanceof ObjectNode ssl) {
                ssl.remove("key");
                ssl.remove("keys");
            }
            out.set("value", value);
        } catch (JsonProcessingException e) {
            out.put("value", entry.value());
        }
        out.put("createdIndex", entry.createRevision()).put("modifiedIndex", entry.modRevision());
        return out;
    }

    private static String newId() {
        // APISIX generates numeric ids; 18 random digits do not collide in practice, across nodes too
        return Long.toString(100_000_000_000_000_000L + (RANDOM.nextLong() & Long.MAX_VALUE) % 900_000_000_000_000_000L);
    }

}
