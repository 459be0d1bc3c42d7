package io.tidegate.upstream;

/** Picks the next node of an upstream. Implementations are thread-safe and allocation-free. */
public interface Balancer {
    /** Index of the chosen node in the upstream's node list. */
    int next();
}
