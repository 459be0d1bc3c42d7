package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Turns APISIX resource lists (as parsed YAML or JSON) into immutable records, validating them
 * against APISIX's schema and against each other (duplicate ids, dangling references). Every error
 * is reported with its path; nothing stops at the first.
 */
public final class ResourceReader {
    /** Top-level resource lists this reader understands. */
    public static final Set<String> RESOURCE_LISTS =
            Set.of("routes", "upstreams", "services", "consumers", "ssls", "global_rules", "plugin_configs", "protos");

    private static final Set<String> COMMON = Set.of("id", "name", "desc", "labels", "create_time", "update_time");
    private static final Set<String> PROTO_FIELDS = union(COMMON, Set.of("content"));
    private static final Set<String> ROUTE_FIELDS = union(COMMON, Set.of("uri", "uris", "host", "hosts",
            "remote_addr", "remote_addrs", "methods", "priority", "vars", "plugins", "plugin_config_id",
            "upstream", "upstream_id", "service_id", "timeout", "enable_websocket", "status"));
    private static final Set<String> UPSTREAM_FIELDS = union(COMMON, Set.of("nodes", "type", "hash_on", "key",
            "retries", "retry_timeout", "timeout", "scheme", "pass_host", "upstream_host", "keepalive_pool",
            "tls", "checks", "discovery_type", "service_name", "discovery_args"));
    private static final Set<String> SERVICE_FIELDS = union(COMMON, Set.of("plugins", "upstream", "upstream_id",
            "enable_websocket", "hosts"));
    private static final Set<String> CONSUMER_FIELDS = Set.of("username", "desc", "labels", "plugins",
            "create_time", "update_time");
    private static final Set<String> SSL_FIELDS = union(COMMON, Set.of("cert", "key", "certs", "keys", "sni",
            "snis", "type", "status"));
    private static final Set<String> PLUGINS_ONLY_FIELDS = union(COMMON, Set.of("plugins"));
    private static final Set<String> TIMEOUT_FIELDS = Set.of("connect", "send", "read");
    private static final Set<String> NODE_FIELDS = Set.of("host", "port", "weight", "priority", "metadata");
    private static final Set<String> KEEPALIVE_FIELDS = Set.of("size", "idle_timeout", "requests");
    private static final Set<String> UPSTREAM_TLS_FIELDS = Set.of("client_cert", "client_key", "verify");

    static final Set<String> METHODS = orderedSet("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS",
            "CONNECT", "TRACE", "PURGE");
    private static final Set<String> UPSTREAM_TYPES = orderedSet("roundrobin", "chash", "ewma", "least_conn", "random");
    private static final Set<String> HASH_ON = orderedSet("vars", "header", "cookie", "consumer", "vars_combinations");
    private static final Set<String> SCHEMES = orderedSet("http", "https", "grpc", "grpcs");
    private static final Set<String> PASS_HOST = orderedSet("pass", "node", "rewrite");
    private static final Pattern HOST = Pattern.compile("^\\*$|^\\*?[0-9a-zA-Z-._\\[\\]:]+$");
    /** APISIX's upstream_hash_header_schema, for header and cookie names. */
    private static final Pattern HEADER_OR_COOKIE = Pattern.compile("^[a-zA-Z0-9-_]+$");
    private static final Pattern USERNAME = Pattern.compile("^[a-zA-Z0-9_\\-]+$");
    private static final String NO_CONTROL_OR_SPACE = "must not contain control characters or spaces";

    private final Problems problems;

    public ResourceReader(Problems problems) {
        this.problems = problems;
    }

    /**
     * Reads the resource lists found in {@code root} (other top-level fields are the caller's
     * business); {@code prefix} is prepended to paths (e.g. a file name).
     */
    public Resources read(JsonNode root, String prefix) {
        Resources resources = readEach(root, prefix);
        checkReferences(root, prefix);
        return resources;
    }

    /**
     * As {@link #read}, but each item only on its own: no check that ids are unique or that
     * {@code upstream_id}, {@code service_id} and {@code plugin_config_id} name a resource in
     * {@code root}. For a caller that decides itself what a missing reference means (etcd, where a
     * referred resource may be deleted by force or be unusable).
     */
    public Resources readEach(JsonNode root, String prefix) {
        List<Upstream> upstreams = list(root, prefix, "upstreams", (n, p) -> upstream(n, p, true));
        List<Service> services = list(root, prefix, "services", this::service);
        List<Route> routes = list(root, prefix, "routes", this::route);
        List<Consumer> consumers = list(root, prefix, "consumers", this::consumer);
        List<Ssl> ssls = list(root, prefix, "ssls", this::ssl);
        List<GlobalRule> globalRules = list(root, prefix, "global_rules",
                (n, p) -> pluginsOnly(n, p, GlobalRule::new));
        List<PluginConfig> pluginConfigs = list(root, prefix, "plugin_configs",
                (n, p) -> pluginsOnly(n, p, PluginConfig::new));
        List<Proto> protos = list(root, prefix, "protos", this::proto);
        return new Resources(routes, upstreams, services, consumers, ssls, globalRules, pluginConfigs, protos);
    }

    /** APISIX's proto schema: {@code content} (1 byte to 1 MiB) must compile (see {@link ProtoContent}). */
    private Proto proto(JsonNode node, String path) {
        Fields f = Fields.open(node, path, problems, PROTO_FIELDS);
        if (f == null) {
            return null;
        }
        String id = id(f, "id", true);
        f.string("name", null, 1, 256);
        f.string("desc", null, 0, 256);
        f.labels();
        if (!f.has("content")) {
            f.report("content", "is required");
            return null;
        }
        String content = f.string("content", null, 1, 1 << 20);
        if (content == null) {
            return null;
        }
        try {
            return new Proto(id, content, ProtoContent.compile(content, id));
        } catch (ProtoContent.InvalidContent e) {
            f.report("content", "invalid content: " + e.getMessage());
            return null;
        }
    }

    private <T> List<T> list(JsonNode root, String prefix, String field, BiFunction<JsonNode, String, T> reader) {
        JsonNode node = root.get(field);
        String path = Problems.join(prefix, field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            problems.add(path, "must be a list");
            return List.of();
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            T item = reader.apply(node.get(i), Problems.index(path, i));
            if (item != null) {
                out.add(item);
            }
        }
        return List.copyOf(out);
    }

    private Route route(JsonNode node, String path) {
        Fields f = Fields.open(node, path, problems, ROUTE_FIELDS);
        if (f == null) {
            return null;
        }
        String id = id(f, "id", true);
        String name = f.string("name", null, 1, 256);
        f.string("desc", null, 0, 256);
        f.labels();

        List<String> uris = List.of();
        if (!f.mutuallyExclusive("uri", "uris")) {
            if (f.has("uri")) {
                String uri = f.string("uri", null, 1, 4096);
                uris = uri == null ? List.of() : List.of(uri);
            } else if (f.has("uris")) {
                uris = f.nonEmptyUniqueStrings("uris");
            } else {
                problems.add(path, "one of uri, uris is required");
            }
        }
        for (int i = 0; i < uris.size(); i++) {
            String uriPath = f.has("uri") ? f.path("uri") : Problems.index(f.path("uris"), i);
            if (!uris.get(i).startsWith("/")) {
                problems.add(uriPath, "must start with /");
            }
            if (hasControlOrSpace(uris.get(i))) {
                problems.add(uriPath, NO_CONTROL_OR_SPACE);
            }
        }
        List<String> hosts = hosts(f);
        List<String> remoteAddrs = List.of();
        if (!f.mutuallyExclusive("remote_addr", "remote_addrs")) {
            remoteAddrs = f.has("remote_addr") ? single(f.string("remote_addr", null)) : f.nonEmptyUniqueStrings("remote_addrs");
        }
        Set<String> methods = methods(f);
        Integer priority = f.integer("priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
        List<VarRule> vars = vars(f);
        Map<String, JsonNode> plugins = f.plugins();
        String pluginConfigId = id(f, "plugin_config_id", false);
        Upstream upstream = f.has("upstream") ? upstream(f.raw("upstream"), f.path("upstream"), false) : null;
        String upstreamId = id(f, "upstream_id", false);
        String serviceId = id(f, "service_id", false);
        if (!f.has("plugins") && !f.has("upstream") && !f.has("upstream_id") && !f.has("service_id")
                && !f.has("plugin_config_id")) {
            problems.add(path, "at least one of plugins, plugin_config_id, upstream, upstream_id, service_id is required");
        }
        Timeouts timeout = timeout(f);
        Boolean websocket = f.bool("enable_websocket", null);
        Integer status = f.integer("status", 1, 0, 1);
        return new Route(id, name, uris, hosts, remoteAddrs, methods,
                priority == null ? 0 : priority, vars, plugins, pluginConfigId, upstream, upstreamId, serviceId,
                timeout, websocket, status == null || status == 1);
    }

    private List<String> hosts(Fields f) {
        if (f.mutuallyExclusive("host", "hosts")) {
            return List.of();
        }
        List<String> hosts = f.has("host") ? single(f.string("host", null)) : f.nonEmptyUniqueStrings("hosts");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i);
            String hostPath = f.has("host") ? f.path("host") : Problems.index(f.path("hosts"), i);
            if (hasControlOrSpace(host)) {
                f.problems().add(hostPath, NO_CONTROL_OR_SPACE);
            } else if (!HOST.matcher(host).matches()) {
                f.problems().add(hostPath, "must match " + HOST.pattern());
            } else {
                out.add(host.toLowerCase(java.util.Locale.ROOT));
            }
        }
        return List.copyOf(out);
    }

    private Set<String> methods(Fields f) {
        List<String> methods = f.stringList("methods");
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < methods.size(); i++) {
            if (!METHODS.contains(methods.get(i))) {
                problems.add(Problems.index(f.path("methods"), i), "must be one of " + String.join(", ", METHODS));
            } else if (!out.add(methods.get(i))) {
                problems.add(Problems.index(f.path("methods"), i), "must not repeat " + methods.get(i));
            }
        }
        return Set.copyOf(out);
    }

    private List<VarRule> vars(Fields f) {
        JsonNode vars = f.raw("vars");
        if (vars == null) {
            return List.of();
        }
        if (!vars.isArray()) {
            f.report("vars", "must be a list");
            return List.of();
        }
        return VarRule.parseList(vars, (where, message) -> problems.add(f.path("vars") + where, message)).stream()
                .map(VarRule.Located::rule).toList();
    }

    private Timeouts timeout(Fields f) {
        Fields t = f.object("timeout", TIMEOUT_FIELDS);
        if (t == null) {
            return null;
        }
        Double connect = requiredSeconds(t, "connect");
        Double send = requiredSeconds(t, "send");
        Double read = requiredSeconds(t, "read");
        return connect == null || send == null || read == null ? null : new Timeouts(connect, send, read);
    }

    private static Double requiredSeconds(Fields f, String field) {
        if (!f.has(field)) {
            f.report(field, "is required");
            return null;
        }
        return f.seconds(field, null, false);
    }

    /**
     * An upstream written inside another object (a plugin's configuration), checked as a route's
     * inline upstream is; null when it is invalid (each problem reported under {@code path}).
     */
    public Upstream inlineUpstream(JsonNode node, String path) {
        int before = problems.problems().size();
        Upstream upstream = upstream(node, path, false);
        return problems.problems().size() == before ? upstream : null;
    }

    Upstream upstream(JsonNode node, String path, boolean requireId) {
        Fields f = Fields.open(node, path, problems, UPSTREAM_FIELDS);
        if (f == null) {
            return null;
        }
        String id = id(f, "id", requireId);
        String name = f.string("name", null, 1, 256);
        f.string("desc", null, 0, 256);
        f.labels();
        String type = f.oneOf("type", "roundrobin", UPSTREAM_TYPES);
        String hashOn = f.oneOf("hash_on", "vars", HASH_ON);
        String key = f.string("key", null);
        if ("chash".equals(type) && key == null && !"consumer".equals(hashOn)) {
            f.report("key", "is required when type is chash (unless hash_on is consumer)");
        } else if ("chash".equals(type) && "vars".equals(hashOn) && !VariableNames.isKnown(key)) {
            // as APISIX refuses it: a key that never resolves would send every request to one node
            f.report("key", "\"" + key + "\" is not a variable (e.g. remote_addr, uri, arg_NAME, http_NAME, cookie_NAME)");
        } else if ("chash".equals(type) && ("header".equals(hashOn) || "cookie".equals(hashOn)) && !HEADER_OR_COOKIE.matcher(key).matches()) {
            f.report("key", "must be a " + hashOn + " name (letters, digits, - and _)");
        }
        String scheme = f.oneOf("scheme", "http", SCHEMES);
        UpstreamTls tls = upstreamTls(f);
        if (f.has("discovery_type")) {
            f.report("discovery_type", "is not supported; list the nodes (host names are resolved by DNS)");
        }
        // as APISIX: a node without a port is on 443 for https and grpcs, else 80
        List<UpstreamNode> nodes = nodes(f, "https".equals(scheme) || "grpcs".equals(scheme) ? 443 : 80);
        Integer retries = f.integer("retries", null, 0, Integer.MAX_VALUE);
        Double retryTimeout = f.seconds("retry_timeout", 0.0, true);
        Timeouts timeout = timeout(f);
        String passHost = f.oneOf("pass_host", "pass", PASS_HOST);
        String upstreamHost = f.string("upstream_host", null);
        if (upstreamHost != null && hasControlOrSpace(upstreamHost)) {
            f.report("upstream_host", NO_CONTROL_OR_SPACE);  // it becomes the Host header sent upstream
        }
        if ("rewrite".equals(passHost) && (upstreamHost == null || upstreamHost.isEmpty())) {
            f.report("upstream_host", "is required when pass_host is rewrite" + (upstreamHost == null ? "" : " (and must not be empty)"));
        }
        KeepalivePool pool = keepalivePool(f);
        HealthChecks checks = new HealthCheckReader(problems).read(f);
        return new Upstream(id, name, type, nodes, retries, retryTimeout, timeout, scheme,
                passHost, upstreamHost, pool, hashOn, key, tls, checks);
    }

    private UpstreamTls upstreamTls(Fields f) {
        Fields t = f.object("tls", UPSTREAM_TLS_FIELDS);
        if (t == null) {
            return UpstreamTls.DEFAULT;
        }
        String cert = t.string("client_cert", null);
        String key = t.string("client_key", null);
        if ((cert == null) != (key == null)) {
            problems.add(t.path(), "client_cert and client_key must be given together");
        }
        return new UpstreamTls(cert, key, t.bool("verify", false));
    }

    private List<UpstreamNode> nodes(Fields f, int defaultPort) {
        JsonNode nodes = f.raw("nodes");
        if (nodes == null) {
            f.report("nodes", "is required");
            return List.of();
        }
        List<UpstreamNode> out = new ArrayList<>();
        if (nodes.isObject()) {
            nodes.fields().forEachRemaining(e -> {
                String path = f.path("nodes") + "[\"" + e.getKey() + "\"]";
                HostPort hostPort = HostPort.parse(e.getKey(), defaultPort);
                if (hostPort == null || hostPort.port() < 1) {
                    problems.add(path, "must be host or host:port (port 1-65535, IPv6 in brackets)");
                } else if (!e.getValue().isIntegralNumber() || e.getValue().longValue() < 0
                        || e.getValue().longValue() > Integer.MAX_VALUE) {
                    problems.add(path, "weight must be an integer >= 0");
                } else {
                    out.add(new UpstreamNode(hostPort.host(), hostPort.port(), e.getValue().intValue(), 0));
                }
            });
        } else if (nodes.isArray()) {
            for (int i = 0; i < nodes.size(); i++) {
                Fields n = Fields.open(nodes.get(i), Problems.index(f.path("nodes"), i), problems, NODE_FIELDS);
                if (n == null) {
                    continue;
                }
                String host = n.requiredString("host");
                Integer port = n.integer("port", defaultPort, 1, 65535);
                // as APISIX: {host: "127.0.0.1:1980"} without a port field names both
                HostPort inHost = host == null || n.has("port") || host.startsWith("[") || host.indexOf(':') != host.lastIndexOf(':')
                        ? null : HostPort.parse(host, defaultPort);
                if (inHost != null && host.indexOf(':') > 0) {
                    host = inHost.host();
                    port = inHost.port();
                }
                if (!n.has("weight")) {
                    n.report("weight", "is required");
                }
                Integer weight = n.integer("weight", null, 0, Integer.MAX_VALUE);
                Integer priority = n.integer("priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
                if (host != null && (host.startsWith("[") && host.endsWith("]"))) {
                    host = host.substring(1, host.length() - 1);
                } else if (host != null && host.indexOf(':') >= 0) {
                    n.report("host", "an IPv6 address must be enclosed with '[' and ']'");
                    continue;
                }
                if (host != null && HostPort.parse(host.indexOf(':') >= 0 ? "[" + host + "]" : host, 80) == null) {
                    n.report("host", "must be a host name or IP address");
                } else if (host != null && port != null && weight != null && priority != null) {
                    out.add(new UpstreamNode(host, port, weight, priority));
                }
            }
        } else {
            f.report("nodes", "must be an object {\"host:port\": weight} or a list of {host, port, weight}");
            return List.of();
        }
        if (nodes.isEmpty()) {
            f.report("nodes", "must not be empty");
        }
        return List.copyOf(out);
    }

    private KeepalivePool keepalivePool(Fields f) {
        Fields k = f.object("keepalive_pool", KEEPALIVE_FIELDS);
        if (k == null) {
            return KeepalivePool.DEFAULT;
        }
        KeepalivePool d = KeepalivePool.DEFAULT;
        return new KeepalivePool(
                k.integer("size", d.size(), 1, Integer.MAX_VALUE),
                k.seconds("idle_timeout", d.idleTimeout(), true),
                k.integer("requests", d.requests(), 1, Integer.MAX_VALUE));
    }

    private Service service(JsonNode node, String path) {
        Fields f = Fields.open(node, path, problems, SERVICE_FIELDS);
        if (f == null) {
            return null;
        }
        String id = id(f, "id", true);
        String name = f.string("name", null, 1, 256);
        f.string("desc", null, 0, 256);
        f.labels();
        Map<String, JsonNode> plugins = f.plugins();
        Upstream upstream = f.has("upstream") ? upstream(f.raw("upstream"), f.path("upstream"), false) : null;
        String upstreamId = id(f, "upstream_id", false);
        f.mutuallyExclusive("upstream", "upstream_id");
        Boolean websocket = f.bool("enable_websocket", null);
        List<String> hosts = f.has("hosts") ? hosts(f) : List.of();
        return new Service(id, name, plugins, upstream, upstreamId, websocket, hosts);
    }

    private Consumer consumer(JsonNode node, String path) {
        Fields f = Fields.open(node, path, problems, CONSUMER_FIELDS);
        if (f == null) {
            return null;
        }
        String username = f.requiredString("username");
        if (username != null && !USERNAME.matcher(username).matches()) {
            f.report("username", "must match " + USERNAME.pattern());
        }
        f.string("desc", null, 0, 256);
        f.labels();
        return new Consumer(username, f.plugins());
    }

    private Ssl ssl(JsonNode node, String path) {
        Fields f = Fields.open(node, path, problems, SSL_FIELDS);
        if (f == null) {
            return null;
        }
        String id = id(f, "id", true);
        f.labels();
        String cert = f.requiredString("cert");
        String key = f.requiredString("key");
        String type = f.oneOf("type", "server", orderedSet("server", "client"));
        List<String> snis = List.of();
        if (!f.mutuallyExclusive("sni", "snis")) {
            snis = f.has("sni") ? single(f.string("sni", null)) : f.nonEmptyUniqueStrings("snis");
            if ("server".equals(type) && !f.has("sni") && !f.has("snis")) {
                problems.add(path, "one of sni, snis is required");
            }
        }
        f.integer("status", 1, 0, 1);
        return new Ssl(id, cert, key, snis, type);
    }

    private <T> T pluginsOnly(JsonNode node, String path, BiFunction<String, Map<String, JsonNode>, T> make) {
        Fields f = Fields.open(node, path, problems, PLUGINS_ONLY_FIELDS);
        if (f == null) {
            return null;
        }
        String id = id(f, "id", true);
        if (!f.has("plugins")) {
            f.report("plugins", "is required");
        }
        f.string("desc", null, 0, 256);
        f.labels();
        return make.apply(id, f.plugins());
    }

    private void checkReferences(JsonNode root, String prefix) {
        Set<String> upstreams = uniqueIds(root, prefix, "upstreams", "id");
        Set<String> services = uniqueIds(root, prefix, "services", "id");
        Set<String> pluginConfigs = uniqueIds(root, prefix, "plugin_configs", "id");
        uniqueIds(root, prefix, "routes", "id");
        uniqueIds(root, prefix, "ssls", "id");
        uniqueIds(root, prefix, "global_rules", "id");
        uniqueIds(root, prefix, "protos", "id");
        uniqueIds(root, prefix, "consumers", "username");
        forEachItem(root, prefix, "routes", (route, path) -> {
            reference(route, path, "upstream_id", "upstream", upstreams);
            reference(route, path, "service_id", "service", services);
            reference(route, path, "plugin_config_id", "plugin_config", pluginConfigs);
        });
        forEachItem(root, prefix, "services",
                (service, path) -> reference(service, path, "upstream_id", "upstream", upstreams));
    }

    /** Walks the raw list so that paths keep the positions the user wrote, even around broken items. */
    private static void forEachItem(JsonNode root, String prefix, String list, java.util.function.BiConsumer<JsonNode, String> action) {
        JsonNode items = root.path(list);
        if (!items.isArray()) {
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).isObject()) {
                action.accept(items.get(i), Problems.index(Problems.join(prefix, list), i));
            }
        }
    }

    private void reference(JsonNode item, String path, String field, String kind, Set<String> ids) {
        String id = idText(item.get(field));
        if (id != null && !ids.contains(id)) {
            problems.add(Problems.join(path, field), kind + " \"" + id + "\" does not exist");
        }
    }

    private Set<String> uniqueIds(JsonNode root, String prefix, String list, String field) {
        Map<String, String> firstPath = new HashMap<>();
        forEachItem(root, prefix, list, (item, path) -> {
            String id = idText(item.get(field));
            if (id == null) {
                return;
            }
            String first = firstPath.putIfAbsent(id, path);
            if (first != null) {
                problems.add(Problems.join(path, field), "duplicate " + field + " \"" + id + "\" (first used at " + first + ")");
            }
        });
        return firstPath.keySet();
    }

    private static String idText(JsonNode id) {
        if (id == null) {
            return null;
        }
        if (id.isTextual()) {
            return id.textValue();
        }
        return id.isIntegralNumber() ? Long.toString(id.longValue()) : null;
    }

    /**
     * An id as {@link Fields#id} reads it, but not one made of dots only: "." and ".." are path
     * segments, which clients and proxies collapse ({@code /apisix/admin/routes/..}), so such a
     * resource could be written but never addressed again.
     */
    private static String id(Fields f, String field, boolean required) {
        String id = f.id(field, required);
        if (id != null && id.chars().allMatch(c -> c == '.')) {
            f.report(field, "must not consist of dots only");
            return null;
        }
        return id;
    }

    /**
     * CR, LF, NUL, the other control characters and spaces: a request carries them in its path only
     * percent-encoded and never in its Host, so in a route's uri or host they are paste errors or
     * probes, and in a value sent on as a header (upstream_host) they would inject header lines.
     */
    private static boolean hasControlOrSpace(String text) {
        return text.chars().anyMatch(c -> c < 0x20 || c == 0x7F || c == ' ');
    }

    private static List<String> single(String value) {
        return value == null ? List.of() : List.of(value);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }

    static Set<String> orderedSet(String... values) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(values)));
    }
}
