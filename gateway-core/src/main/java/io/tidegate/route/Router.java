package io.tidegate.route;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the route for a request: first among routes for the request's exact host, then for
 * {@code *.}wildcard hosts (longest suffix first), then among routes without hosts. Within each,
 * a {@link RadixTree} on the path yields candidates (exact before prefix, longer prefix first, then
 * higher {@code priority}, then configuration order) and the first whose methods, client address
 * and vars match wins. Built once per configuration, immutable, safe to share between threads.
 */
public final class Router<R> {
    private final Map<String, RadixTree<Entry<R>>> exactHosts;
    private final Map<String, RadixTree<Entry<R>>> wildcardHosts;
    private final RadixTree<Entry<R>> anyHost;

    private Router(Builder<R> builder) {
        builder.exactHosts.values().forEach(RadixTree::freeze);
        builder.wildcardHosts.values().forEach(RadixTree::freeze);
        this.exactHosts = Map.copyOf(builder.exactHosts);
        this.wildcardHosts = Map.copyOf(builder.wildcardHosts);
        this.anyHost = builder.anyHost.freeze();
    }

    public static <R> Builder<R> builder() {
        return new Builder<>();
    }

    /** The matched route's value, or null for "404 Route Not Found". */
    public R match(MatchRequest request) {
        Entry<R> entry = entry(request);
        return entry == null ? null : entry.value;
    }

    /**
     * The route's uri and host patterns that matched (APISIX's {@code matched_uri} and
     * {@code matched_host}), made when the router was built, or null for "404 Route Not Found".
     */
    public Hit<R> hit(MatchRequest request) {
        Entry<R> entry = entry(request);
        return entry == null ? null : entry.hit;
    }

    /** A match: the route's value and the patterns of the route that matched. */
    public record Hit<R>(R value, RoutePattern pattern) {}

    private Entry<R> entry(MatchRequest request) {
        String host = request.host();
        String path = request.path();
        if (!exactHosts.isEmpty()) {
            Entry<R> found = find(exactHosts.get(host), path, request);
            if (found != null) {
                return found;
            }
        }
        if (!wildcardHosts.isEmpty()) {
            for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
                Entry<R> found = find(wildcardHosts.get(host.substring(dot)), path, request);
                if (found != null) {
                    return found;
                }
            }
        }
        return find(anyHost, path, request);
    }

    private static <R> Entry<R> find(RadixTree<Entry<R>> tree, String path, MatchRequest request) {
        if (tree == null) {
            return null;
        }
        return tree.find(path, e -> e.conditions.matches(request));
    }

    /** One (uri, host) pattern of a route; a route's entries share its order and priority. */
    private record Entry<R>(R value, RouteConditions conditions, int priority, int order, Hit<R> hit) {
        Entry(R value, RouteConditions conditions, int priority, int order, String uri, String host) {
            this(value, conditions, priority, order, new Hit<>(value, new RoutePattern(uri, host)));
        }
    }

    /** Collects routes; {@link #add} rejects malformed patterns with {@link IllegalArgumentException}. */
    public static final class Builder<R> {
        private static final Comparator<Entry<?>> ORDER =
                Comparator.<Entry<?>>comparingInt(e -> -e.priority()).thenComparingInt(Entry::order);
        private final Map<String, RadixTree<Entry<R>>> exactHosts = new HashMap<>();
        private final Map<String, RadixTree<Entry<R>>> wildcardHosts = new HashMap<>();
        private final RadixTree<Entry<R>> anyHost = new RadixTree<>(ORDER);
        private int order;

        /**
         * @param uris  path patterns ({@code /exact}, {@code /prefix*}, {@code /user/:name})
         * @param hosts lower-case hosts ({@code api.example.com}, {@code *.example.com}); empty = any
         */
        public Builder<R> add(R value, List<String> uris, List<String> hosts, RouteConditions conditions, int priority) {
            int at = order++;
            if (hosts.isEmpty() || hosts.contains("*")) {
                String any = hosts.isEmpty() ? "" : "*";
                uris.forEach(uri -> anyHost.insert(uri, new Entry<>(value, conditions, priority, at, uri, any)));
                return this;
            }
            for (String host : hosts) {
                RadixTree<Entry<R>> tree = host.startsWith("*.")
                        ? wildcardHosts.computeIfAbsent(host.substring(1), h -> new RadixTree<>(ORDER))
                        : exactHosts.computeIfAbsent(host, h -> new RadixTree<>(ORDER));
                uris.forEach(uri -> tree.insert(uri, new Entry<>(value, conditions, priority, at, uri, host)));
            }
            return this;
        }

        public Router<R> build() {
            return new Router<>(this);
        }
    }
}
