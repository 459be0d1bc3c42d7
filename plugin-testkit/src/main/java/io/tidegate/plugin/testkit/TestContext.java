package io.tidegate.plugin.testkit;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PluginContext;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link PluginContext} for unit tests: a request you describe, an upstream request and a
 * response you can inspect after calling the phases yourself. Not thread-safe, like a real request.
 *
 * <pre>{@code
 * TestContext ctx = TestContext.get("/orders?id=7").header("Authorization", "Bearer x");
 * PhaseResult result = instance.rewrite(ctx);
 * ctx.upstreamRequest().header("X-User");
 * }</pre>
 */
public final class TestContext implements PluginContext {
    private final String method;
    private final String path;
    private final String query;
    private final Map<String, List<String>> requestHeaders = new LinkedHashMap<>();
    private InetAddress client;
    private int clientPort = 40000;
    /** The connection's peer, which {@link #setClientAddress} does not change. */
    private InetAddress peer;
    private String routeId = "1";
    private String serviceId;
    private final Set<String> knownConsumers = new java.util.HashSet<>();
    private String consumer;
    private io.tidegate.plugin.api.UpstreamRef chosenUpstream;
    private final Map<AttributeKey<?>, Object> attributes = new HashMap<>();
    private final Map<String, String> vars = new HashMap<>();
    private byte[] requestBody = new byte[0];

    private String upstreamMethod;
    private String upstreamPath;
    private String upstreamQuery;
    private final Map<String, List<String>> upstreamHeaders = new LinkedHashMap<>();
    private int status;
    private final Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
    private final Map<String, List<String>> responseTrailers = new LinkedHashMap<>();
    private byte[] upstreamBody;
    private final List<io.tidegate.plugin.api.UpstreamTryWatcher> tryWatchers = new ArrayList<>();
    private int tries;

    private TestContext(String method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        this.method = method;
        this.path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        this.query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        this.upstreamMethod = method;
        this.upstreamPath = path;
        this.upstreamQuery = query;
        try {
            this.client = InetAddress.getByName("127.0.0.1");
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestContext get(String pathAndQuery) {
        return request("GET", pathAndQuery);
    }

    public static TestContext request(String method, String pathAndQuery) {
        return new TestContext(method, pathAndQuery);
    }

    /** Adds a request header (sent upstream too, as the gateway forwards request headers). */
    public TestContext header(String name, String value) {
        requestHeaders.computeIfAbsent(key(name), k -> new ArrayList<>()).add(value);
        upstreamHeaders.computeIfAbsent(key(name), k -> new ArrayList<>()).add(value);
        return this;
    }

    /** The request body's head as {@link Request#bodyHead()} shows it in the log phase. */
    public TestContext body(byte[] head) {
        this.requestBody = head.clone();
        return this;
    }

    /** A trailer of the upstream's response, as {@link Response#trailer} reads it. */
    public TestContext trailer(String name, String value) {
        responseTrailers.computeIfAbsent(key(name), k -> new ArrayList<>()).add(value);
        return this;
    }

    /** The body a plugin put in place with {@link UpstreamRequest#setBody}, or null when none did. */
    public byte[] upstreamBody() {
        return upstreamBody == null ? null : upstreamBody.clone();
    }

    public TestContext clientAddress(String ip) {
        try {
            this.client = InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
        return this;
    }

    public TestContext route(String routeId, String serviceId) {
        this.routeId = routeId;
        this.serviceId = serviceId;
        return this;
    }

    /** Consumers {@link #authenticate} accepts. */
    public TestContext consumers(String... usernames) {
        knownConsumers.addAll(List.of(usernames));
        return this;
    }

    /** Sets a variable {@link #var} returns (beyond the ones derived from the request). */
    public TestContext var(String name, String value) {
        vars.put(name, value);
        return this;
    }

    /** Simulates the upstream's response head, as header_filter would see it. */
    public TestContext upstreamResponse(int status, Map<String, String> headers) {
        this.status = status;
        headers.forEach((k, v) -> responseHeaders.computeIfAbsent(key(k), x -> new ArrayList<>()).add(v));
        return this;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(key(name));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public Request request() {
        return new Request() {
            @Override public String method() { return method; }
            @Override public String path() { return path; }
            @Override public String query() { return query; }

            @Override
            public String queryArg(String name) {
                for (String pair : query.split("&")) {
                    int eq = pair.indexOf('=');
                    String k = eq < 0 ? pair : pair.substring(0, eq);
                    if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(name)) {
                        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    }
                }
                return null;
            }

            @Override public String header(String name) { return first(requestHeaders, name); }
            @Override public List<String> headers(String name) { return List.copyOf(requestHeaders.getOrDefault(key(name), List.of())); }
            @Override public Set<String> headerNames() { return Set.copyOf(requestHeaders.keySet()); }
            @Override public void forEachHeader(java.util.function.BiConsumer<String, List<String>> action) {
                requestHeaders.forEach((name, values) -> action.accept(name, List.copyOf(values)));
            }
            @Override public InetAddress clientAddress() { return client; }
            @Override public byte[] bodyHead() { return requestBody.clone(); }
        };
    }

    @Override
    public UpstreamRequest upstreamRequest() {
        return new UpstreamRequest() {
            @Override public String method() { return upstreamMethod; }
            @Override public void setMethod(String m) { upstreamMethod = m; }
            @Override public String path() { return upstreamPath; }
            @Override public void setPath(String p) { upstreamPath = p; }
            @Override public String query() { return upstreamQuery; }
            @Override public void setQuery(String q) { upstreamQuery = q == null ? "" : q; }
            @Override public String header(String name) { return first(upstreamHeaders, name); }
            @Override public void setHeader(String name, String value) { upstreamHeaders.put(key(name), new ArrayList<>(List.of(value))); }
            @Override public void addHeader(String name, String value) { upstreamHeaders.computeIfAbsent(key(name), k -> new ArrayList<>()).add(value); }
            @Override public void removeHeader(String name) { upstreamHeaders.remove(key(name)); }
            @Override public void setHost(String host) { setHeader("Host", host); }
            @Override public void setBody(byte[] body) { upstreamBody = body.clone(); }
        };
    }

    @Override
    public Response response() {
        return new Response() {
            @Override public int status() { return status; }
            @Override public void setStatus(int s) { status = s; }
            @Override public String header(String name) { return first(responseHeaders, name); }
            @Override public Set<String> headerNames() { return Set.copyOf(responseHeaders.keySet()); }
            @Override public void forEachHeader(java.util.function.BiConsumer<String, List<String>> action) {
                responseHeaders.forEach((name, values) -> action.accept(name, List.copyOf(values)));
            }
            @Override public void setHeader(String name, String value) { responseHeaders.put(key(name), new ArrayList<>(List.of(value))); }
            @Override public void addHeader(String name, String value) { responseHeaders.computeIfAbsent(key(name), k -> new ArrayList<>()).add(value); }
            @Override public void removeHeader(String name) { responseHeaders.remove(key(name)); }
            @Override public String trailer(String name) { return first(responseTrailers, name); }
        };
    }

    @Override
    public String routeId() {
        return routeId;
    }

    @Override
    public String serviceId() {
        return serviceId;
    }

    @Override
    public String var(String name) {
        if (vars.containsKey(name)) {
            return vars.get(name);
        }
        if (name.startsWith("arg_")) {
            return request().queryArg(name.substring(4));
        }
        if (name.startsWith("http_")) {
            return first(requestHeaders, name.substring(5).replace('_', '-'));
        }
        return switch (name) {
            case "uri" -> path;
            case "request_method" -> method;
            case "query_string", "args" -> query.isEmpty() ? null : query;
            case "remote_addr" -> client.getHostAddress();
            case "remote_port" -> Integer.toString(clientPort);
            case "realip_remote_addr" -> (peer == null ? client : peer).getHostAddress();
            default -> null;
        };
    }

    @Override
    public Optional<String> consumer() {
        return Optional.ofNullable(consumer);
    }

    /** The body as {@link #body} set it, when not longer than {@code maxBytes}; null otherwise. */
    @Override
    public java.util.concurrent.CompletionStage<byte[]> readBody(int maxBytes) {
        return java.util.concurrent.CompletableFuture.completedFuture(requestBody.length <= maxBytes ? requestBody.clone() : null);
    }

    /** Runs tasks at once, on the calling thread: a unit test has no IO thread. */
    @Override
    public java.util.concurrent.Executor requestThread() {
        return Runnable::run;
    }

    @Override
    public void setClientAddress(java.net.InetSocketAddress address) {
        if (peer == null) {
            peer = client;
        }
        client = address.getAddress();
        clientPort = address.getPort();
    }

    /** Hands the test's request body (see {@link #body}) to the tap at once, whole. */
    @Override
    public void watchUpstreamTries(io.tidegate.plugin.api.UpstreamTryWatcher watcher) {
        tryWatchers.add(java.util.Objects.requireNonNull(watcher, "watcher"));
    }

    /**
     * Plays one try at {@code ip:port} to the watchers a plugin registered: started (headers they
     * set go to {@link #upstreamRequest()}), then ended with {@code status}, or with
     * {@code failure} ({@code connect_failed}, {@code broken}, ...) when that is not null.
     */
    public TestContext upstreamTry(String ip, int port, int status, String failure) {
        int number = ++tries;
        UpstreamTryView attempt = new UpstreamTryView(number, ip, port);
        for (var watcher : tryWatchers) {
            watcher.started(attempt);
        }
        attempt.status = failure == null ? status : 0;
        attempt.failure = failure;
        for (var watcher : tryWatchers) {
            watcher.ended(attempt);
        }
        return this;
    }

    private final class UpstreamTryView implements io.tidegate.plugin.api.UpstreamTry {
        private final int number;
        private final String ip;
        private final int port;
        private int status;
        private String failure;

        UpstreamTryView(int number, String ip, int port) {
            this.number = number;
            this.ip = ip;
            this.port = port;
        }

        @Override
        public int number() {
            return number;
        }

        @Override
        public String nodeAddress() {
            return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
        }

        @Override
        public String nodeIp() {
            return ip;
        }

        @Override
        public int nodePort() {
            return port;
        }

        @Override
        public String scheme() {
            return "http";
        }

        @Override
        public String method() {
            return upstreamMethod;
        }

        @Override
        public void setHeader(String name, String value) {
            upstreamRequest().setHeader(name, value);
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public String failure() {
            return failure;
        }
    }

    @Override
    public void tapRequestBody(io.tidegate.plugin.api.RequestBodyTap tap) {
        if (requestBody != null && requestBody.length > 0) {
            tap.onData(java.nio.ByteBuffer.wrap(requestBody).asReadOnlyBuffer());
        }
        tap.onEnd(true);
    }

    /** Records the choice; see {@link #chosenUpstream()}. */
    @Override
    public boolean useUpstream(io.tidegate.plugin.api.UpstreamRef upstream) {
        chosenUpstream = upstream;
        return true;
    }

    /** The upstream a plugin chose with {@link #useUpstream}, or null. */
    public io.tidegate.plugin.api.UpstreamRef chosenUpstream() {
        return chosenUpstream;
    }

    @Override
    public boolean authenticate(String username) {
        if (!knownConsumers.contains(username)) {
            return false;
        }
        consumer = username;
        upstreamRequest().setHeader("X-Consumer-Username", username);
        return true;
    }

    @Override
    public <T> T attribute(AttributeKey<T> key) {
        return key.cast(attributes.get(key));
    }

    @Override
    public <T> T setAttribute(AttributeKey<T> key, T value) {
        return key.cast(value == null ? attributes.remove(key) : attributes.put(key, value));
    }
}
