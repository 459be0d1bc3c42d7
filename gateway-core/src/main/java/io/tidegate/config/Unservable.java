package io.tidegate.config;

import java.util.Set;

/**
 * What a source holds but cannot use, kept so that it fails closed instead of vanishing: a route
 * that vanished would let its requests fall through to a broader route, say a {@code /*} one
 * without authentication. Only etcd produces these; a file with an invalid item is refused whole.
 *
 * @param routes      ids of routes in {@link Resources#routes()} that hold nothing but their
 *                    matching fields: they answer 503 to the requests they match
 * @param globalRules ids of global rules that could not be read: while there is one, every route
 *                    answers 503, since none can run every global plugin
 */
public record Unservable(Set<String> routes, Set<String> globalRules) {
    public static final Unservable NONE = new Unservable(Set.of(), Set.of());

    public Unservable {
        routes = Set.copyOf(routes);
        globalRules = Set.copyOf(globalRules);
    }

    public boolean isEmpty() {
        return routes.isEmpty() && globalRules.isEmpty();
    }
}
