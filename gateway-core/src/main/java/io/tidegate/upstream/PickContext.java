package io.tidegate.upstream;

/** What a balancer may ask about the request it picks a node for. */
public interface PickContext {
    /** Whether this request already tried the node (a retry should go elsewhere). */
    boolean tried(int node);

    /** The consistent-hash key of the request; never null. */
    String hashKey();
}
