package io.tidegate.upstream;

/**
 * Picks a node for a request among its members (indexes into the upstream's node list). Must
 * return a node the request has not tried while any member is untried. Implementations are
 * thread-safe: IO threads pick concurrently.
 */
public interface Balancer {
    int pick(PickContext context);

    /** A request started on the node (connection handed over). */
    default void started(int node) {}

    /** That request ended, after {@code elapsedNanos}. */
    default void finished(int node, long elapsedNanos) {}
}
