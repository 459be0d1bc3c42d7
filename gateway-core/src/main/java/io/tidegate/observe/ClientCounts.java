package io.tidegate.observe;

/**
 * The client side's counts, nginx's stub_status figures where the JVM has them.
 *
 * @param open             client connections open now (nginx's active)
 * @param accepted         client connections accepted since start
 * @param handled          of those, admitted past {@code max_connections} and {@code max_connections_per_client}
 * @param requestsInFlight client requests (HTTP/2 streams included) being served now (nginx's writing)
 * @param requests         client requests taken since start
 */
public record ClientCounts(int open, long accepted, long handled, int requestsInFlight, long requests) {}
