package io.tidegate.upstream;

/**
 * The connections to one node, as the proxy keeps them; node selection only carries them to the
 * proxy, which knows their type. Keeps this package free of server types.
 */
public interface NodeConnections {
    /** {@code host:port} of the node. */
    String peer();
}
