package io.tidegate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.ConfigException;
import io.tidegate.config.Resources;
import io.tidegate.plugin.PluginCatalog;
import io.tidegate.source.EtcdStore;
import io.tidegate.source.KeyedResources;
import io.tidegate.source.WatchedKeys;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * APISIX's Admin API ({@code /apisix/admin/...}) for routes, upstreams, services, consumers, ssls,
 * global rules and plugin configs: HTTP in and out. Every write is validated like file
 * configuration, together with what it depends on (and compiled, so a plugin rejecting its config
 * is a 400 too), and committed only if what it was validated against still holds
 * ({@link ResourceWrites}); nothing is written when it fails. etcd is the source of truth: a write serves on every node (this one included) through its
 * watch. Runs on worker threads, since etcd calls block.
 */
public final class AdminApi implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/apisix/admin/";
    private static final Set<String> NO_POST = Set.of("consumers", "global_rules", "plugin_configs");
    private static final int MAX_BODY = 4 * 1024 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Compiles resources without serving them; throws with path-named errors when they do not compile. */
    @FunctionalInterface
    public interface Validator {
        void check(Resources resources) throws ConfigException;
    }

    private final byte[] apiKey;
    private final EtcdStore store;
    private final KeyedResources keys;
    private final ResourceWrites writes;
    private final PluginDescriptions plugins;

    /** @param watched the keys as this node's watch sees them: what writes are checked against first */
    public AdminApi(String apiKey, EtcdStore store, WatchedKeys watched, Validator validator, Supplier<PluginCatalog> plugins) {
        this.apiKey = apiKey.getBytes(StandardCharsets.UTF_8);
        this.store = store;
        this.keys = new KeyedResources(store.prefix());
        this.writes = new ResourceWrites(store, watched, keys, validator);
        this.plugins = new PluginDescriptions(plugins);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        exchange.startBlocking();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        Reply response;
        try {
            response = authorised(exchange) ? route(exchange) : null;
        } catch (BadRequest e) {
            response = Reply.error(400, e.getMessage());
        } catch (EtcdStore.EtcdException e) {
            log.warn("admin {} {}: etcd failed: {}", exchange.getRequestMethod(), exchange.getRequestPath(), e.getMessage());
            response = Reply.error(503, "etcd is unavailable: " + e.getMessage());
        }
        if (response != null) {
            exchange.setStatusCode(response.status());
            exchange.getResponseSender().send(JSON.writeValueAsString(response.body()));
        }
    }

    private boolean authorised(HttpServerExchange exchange) throws IOException {
        String given = exchange.getRequestHeaders().getFirst("X-API-KEY");
        if (given == null) {
            Deque<String> query = exchange.getQueryParameters().get("api_key");
            given = query == null ? null : query.peekFirst();
        }
        if (given != null && MessageDigest.isEqual(apiKey, given.getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        exchange.setStatusCode(401);
        ObjectNode body = JSON.createObjectNode().put("error_msg", "failed to check token")
                .put("description", given == null ? "missing apikey" : "wrong apikey");
        exchange.getResponseSender().send(JSON.writeValueAsString(body));
        return false;
    }

    private Reply route(HttpServerExchange exchange) throws IOException {
        String path = exchange.getRequestPath();
        String method = exchange.getRequestMethod().toString();
        if (method.equals("GET") && (path.startsWith(PREFIX + "plugins") || path.startsWith(PREFIX + "schema/plugins/"))) {
            return pluginRead(exchange, path);
        }
        if (!path.startsWith(PREFIX)) {
            return Reply.error(404, "404 Route Not Found");
        }
        String[] parts = path.substring(PREFIX.length()).split("/", -1);
        String type = parts[0];
        if (!io.tidegate.config.ResourceReader.RESOURCE_LISTS.contains(type)
                || (parts.length > 2 && !method.equals("PATCH"))
                || (parts.length == 2 && parts[1].isEmpty() && !method.equals("GET"))) {
            return Reply.error(404, "404 Route Not Found");
        }
        String id = parts.length >= 2 && !parts[1].isEmpty() ? parts[1] : null;
        if (parts.length > 2) {
            List<String> field = List.of(parts).subList(2, parts.length);
            return id == null || field.contains("") ? Reply.error(404, "404 Route Not Found") : patchField(exchange, type, id, field);
        }
        return switch (method) {
            case "GET" -> id == null ? list(type) : get(type, id);
            case "PUT" -> put(exchange, type, id);
            case "POST" -> id != null ? Reply.error(405, "POST creates with a generated id: POST " + PREFIX + type)
                    : NO_POST.contains(type) ? Reply.error(405, "not supported for " + type + ": use PUT with an id") : put(exchange, type, newId());
            case "PATCH" -> id == null ? Reply.error(400, "missing id") : patch(exchange, type, id);
            case "DELETE" -> id == null ? Reply.error(400, "missing id") : delete(exchange, type, id);
            default -> Reply.error(405, "method not allowed");
        };
    }

    private Reply get(String type, String id) {
        EtcdStore.Entry entry = store.get(keys.key(type, id));
        return entry == null ? Reply.notFound() : new Reply(200, described(entry));
    }

    private Reply list(String type) {
        ArrayNode list = JSON.createArrayNode();
        for (EtcdStore.Entry entry : store.list(keys.key(type, "")).entries()) {
            if (keys.place(entry.key()) != null) {  // APISIX keeps other kinds of keys in places of its own
                list.add(described(entry));
            }
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("list", list);
        body.put("total", list.size());
        return new Reply(200, body);
    }

    private Reply pluginRead(HttpServerExchange exchange, String path) {
        String rest = path.startsWith(PREFIX + "schema/plugins/") ? path.substring((PREFIX + "schema/plugins/").length())
                : path.substring((PREFIX + "plugins").length());
        if (path.equals(PREFIX + "plugins/list")) {
            return plugins.list();
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
        if (id == null) {
            id = body.path(idField).asText(null);
            if (id == null) {
                return Reply.error(400, "missing " + idField);
            }
        }
        Reply badId = checkId(idField, id);
        return badId != null ? badId : writes.put(type, id, body);
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
        JsonNode replacement = readJson(exchange);
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
        JsonNode body = readJson(exchange);
        if (!body.isObject()) {
            throw new BadRequest("invalid request body: must be a JSON object");
        }
        return (ObjectNode) body;
    }

    private JsonNode readJson(HttpServerExchange exchange) throws IOException {
        InputStream in = exchange.getInputStream();
        byte[] bytes = in.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new BadRequest("request body larger than " + MAX_BODY + " bytes");
        }
        JsonNode body;
        try {
            body = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new BadRequest("invalid request body: " + e.getOriginalMessage());
        }
        if (body == null || body.isMissingNode()) {
            throw new BadRequest("invalid request body: empty");
        }
        return body;
    }

    private JsonNode described(EtcdStore.Entry entry) {
        ObjectNode out = JSON.createObjectNode().put("key", entry.key());
        try {
            out.set("value", JSON.readTree(entry.value()));
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
