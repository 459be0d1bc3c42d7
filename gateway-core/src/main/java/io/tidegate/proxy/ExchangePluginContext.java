package io.tidegate.proxy;

import io.tidegate.http.ClientRequestView;
import io.tidegate.http.ExchangeFacts;
import io.tidegate.http.Variables;
import io.tidegate.plugin.ConsumerDirectory;
import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.runtime.RoutePlan;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.server.protocol.http.HttpAttachments;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plugin API's view of one Undertow exchange. The client's request is captured as it arrived;
 * the upstream request is the exchange itself, which Undertow's proxy sends on as it stands.
 */
final class ExchangePluginContext implements PluginContext {
    private static final HttpString CONSUMER_HEADER = new HttpString("X-Consumer-Username");

    private final HttpServerExchange exchange;
    private final RoutePlan plan;
    private final String originalMethod;
    private final String originalPath;
    private final String originalQuery;
    private Request request;
    private UpstreamRequest upstream;
    private Response response;
    private Map<AttributeKey<?>, Object> attributes;
    private String consumer;
    private ConsumerDirectory.ConsumerPlugins consumerPlugins;

    /** The exchange this context is of. */
    HttpServerExchange exchange() {
        return exchange;
    }

    ExchangePluginContext(HttpServerExchange exchange, RoutePlan plan) {
        this.exchange = exchange;
        this.plan = plan;
        this.originalMethod = exchange.getRequestMethod().toString();
        this.originalPath = exchange.getRequestPath();
        this.originalQuery = exchange.getQueryString();
    }

    /** The consumer's plugins once authenticated, else null. */
    ConsumerDirectory.ConsumerPlugins consumerPlugins() {
        return consumerPlugins;
    }

    // views are made on first use: most plugins touch one or two of them
    @Override
    public Request request() {
        if (request == null) {
            request = new ClientRequest();
        }
        return request;
    }

    @Override
    public UpstreamRequest upstreamRequest() {
        if (upstream == null) {
            upstream = new ExchangeUpstreamRequest();
        }
        return upstream;
    }

    @Override
    public Response response() {
        if (response == null) {
            response = new ExchangeResponse();
        }
        return response;
    }

    @Override
    public String routeId() {
        return plan.routeId();
    }

    @Override
    public String serviceId() {
        return plan.serviceId();
    }

    @Override
    public String var(String name) {
        return switch (name) {
            // the route's own, known from its plan rather than kept on every exchange
            case "route_name" -> plan.routeName();
            case "service_name" -> plan.serviceName();
            case "matched_uri" -> matchedUri();
            default -> Variables.resolve(name, exchange);
        };
    }

    private String matchedUri() {
        io.tidegate.route.RoutePattern matched = exchange.getAttachment(ExchangeFacts.MATCHED);
        return matched == null || matched.uri().isEmpty() ? null : matched.uri();
    }

    @Override
    public Optional<String> consumer() {
        return Optional.ofNullable(consumer);
    }

    @Override
    public java.util.concurrent.CompletionStage<byte[]> readBody(int maxBytes) {
        return RequestBody.read(exchange, maxBytes);
    }

    @Override
    public void tapRequestBody(io.tidegate.plugin.api.RequestBodyTap tap) {
        RequestBodyTaps.add(exchange, java.util.Objects.requireNonNull(tap, "tap"));
    }

    @Override
    public void watchUpstreamTries(io.tidegate.plugin.api.UpstreamTryWatcher watcher) {
        UpstreamTries.add(exchange, java.util.Objects.requireNonNull(watcher, "watcher"));
    }

    @Override
    public java.util.concurrent.Executor requestThread() {
        return exchange.getIoThread();
    }

    @Override
    public void setClientAddress(InetSocketAddress address) {
        exchange.setSourceAddress(java.util.Objects.requireNonNull(address, "address"));
        exchange.putAttachment(ForwardedHeaders.REAL_CLIENT, address.getAddress().getHostAddress());
    }

    @Override
    public boolean useUpstream(io.tidegate.plugin.api.UpstreamRef upstream) {
        return ChosenUpstream.choose(exchange, upstream);
    }

    @Override
    public boolean authenticate(String username) {
        ConsumerDirectory.ConsumerPlugins found = username == null ? null : plan.consumers().find(username);
        if (found == null) {
            return false;
        }
        consumer = username;
        consumerPlugins = found;
        exchange.getRequestHeaders().put(CONSUMER_HEADER, username);
        exchange.putAttachment(ExchangeFacts.CONSUMER, username);
        return true;
    }

    @Override
    public <T> T attribute(AttributeKey<T> key) {
        return attributes == null ? null : key.cast(attributes.get(key));
    }

    @Override
    public <T> T setAttribute(AttributeKey<T> key, T value) {
        if (attributes == null) {
            if (value == null) {
                return null;
            }
            attributes = new IdentityHashMap<>(4);
        }
        return key.cast(value == null ? attributes.remove(key) : attributes.put(key, value));
    }

    private static void visit(io.undertow.util.HeaderMap headers, java.util.function.BiConsumer<String, List<String>> action) {
        for (long i = headers.fastIterateNonEmpty(); i != -1L; i = headers.fiNextNonEmpty(i)) {
            HeaderValues values = headers.fiCurrent(i);
            action.accept(values.getHeaderName().toString(), java.util.Collections.unmodifiableList(values));
        }
    }

    private static java.util.Set<String> names(io.undertow.util.HeaderMap headers) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        headers.getHeaderNames().forEach(name -> out.add(name.toString()));
        return out;
    }

    private static List<String> values(HeaderValues values) {
        return values == null ? List.of() : List.copyOf(values);
    }

    private final class ClientRequest implements Request {
        @Override
        public String method() {
            return originalMethod;
        }

        @Override
        public String path() {
            return originalPath;
        }

        @Override
        public String query() {
            return originalQuery;
        }

        @Override
        public String queryArg(String name) {
            Deque<String> values = exchange.getQueryParameters().get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        @Override
        public String header(String name) {
            return exchange.getRequestHeaders().getFirst(name);
        }

        @Override
        public List<String> headers(String name) {
            return values(exchange.getRequestHeaders().get(name));
        }

        @Override
        public java.util.Set<String> headerNames() {
            return names(exchange.getRequestHeaders());
        }

        @Override
        public void forEachHeader(java.util.function.BiConsumer<String, List<String>> action) {
            visit(exchange.getRequestHeaders(), action);
        }

        @Override
        public InetAddress clientAddress() {
            InetSocketAddress source = exchange.getSourceAddress();
            return source == null ? null : source.getAddress();
        }

        @Override
        public byte[] bodyHead() {
            return RequestBodyHead.of(exchange);
        }
    }

    private final class ExchangeUpstreamRequest implements UpstreamRequest {
        @Override
        public String method() {
            return exchange.getRequestMethod().toString();
        }

        @Override
        public void setMethod(String method) {
            exchange.setRequestMethod(HttpString.tryFromString(method));
        }

        @Override
        public String path() {
            return exchange.getRequestURI();
        }

        @Override
        public void setPath(String rawPath) {
            if (rawPath == null || !rawPath.startsWith("/")) {
                throw new IllegalArgumentException("path must start with /: " + rawPath);
            }
            ClientRequestView.keep(exchange);
            exchange.setRequestURI(rawPath, false);
        }

        @Override
        public String query() {
            return exchange.getQueryString();
        }

        @Override
        public void setQuery(String rawQuery) {
            ClientRequestView.keep(exchange);
            exchange.setQueryString(rawQuery == null ? "" : rawQuery);
        }

        @Override
        public String header(String name) {
            return exchange.getRequestHeaders().getFirst(name);
        }

        @Override
        public void setHeader(String name, String value) {
            GrpcStatusAnswer.keepClientType(exchange, name);
            exchange.getRequestHeaders().put(HeaderNames.of(name), SafeHeaderValue.of(value));
        }

        @Override
        public void addHeader(String name, String value) {
            GrpcStatusAnswer.keepClientType(exchange, name);
            exchange.getRequestHeaders().add(HeaderNames.of(name), SafeHeaderValue.of(value));
        }

        @Override
        public void removeHeader(String name) {
            GrpcStatusAnswer.keepClientType(exchange, name);
            exchange.getRequestHeaders().remove(name);
        }

        @Override
        public void setBody(byte[] body) {
            RequestBody.replace(exchange, body);
        }

        @Override
        public void setHost(String host) {
            ClientRequestView.keep(exchange);
            exchange.getRequestHeaders().put(Headers.HOST, SafeHeaderValue.of(host));
        }
    }

    private final class ExchangeResponse implements Response {
        @Override
        public int status() {
            // before header_filter no response exists yet; Undertow's default 200 would mislead
            return exchange.getAttachment(PluginPhasesHandler.HEAD_SEEN) == null ? 0 : exchange.getStatusCode();
        }

        @Override
        public void setStatus(int status) {
            exchange.setStatusCode(status);
        }

        @Override
        public String header(String name) {
            return exchange.getResponseHeaders().getFirst(name);
        }

        @Override
        public java.util.Set<String> headerNames() {
            return names(exchange.getResponseHeaders());
        }

        @Override
        public void forEachHeader(java.util.function.BiConsumer<String, List<String>> action) {
            visit(exchange.getResponseHeaders(), action);
        }

        @Override
        public void setHeader(String name, String value) {
            exchange.getResponseHeaders().put(HeaderNames.of(name), SafeHeaderValue.of(value));
        }

        @Override
        public void addHeader(String name, String value) {
            exchange.getResponseHeaders().add(HeaderNames.of(name), SafeHeaderValue.of(value));
        }

        @Override
        public String trailer(String name) {
            HeaderMap trailers = exchange.getAttachment(HttpAttachments.RESPONSE_TRAILERS);
            java.util.function.Supplier<HeaderMap> supplier = exchange.getAttachment(HttpAttachments.RESPONSE_TRAILER_SUPPLIER);
            if (trailers == null && supplier != null) {
                trailers = supplier.get();
            }
            return trailers == null ? null : trailers.getFirst(name);
        }

        @Override
        public void removeHeader(String name) {
            exchange.getResponseHeaders().remove(name);
        }
    }
}
