package io.tidegate.upstream;

import java.util.concurrent.atomic.AtomicIntegerArray;

/** Requests in flight per node, for the balancers that weigh load. */
final class InFlight {
    private final AtomicIntegerArray active;

    InFlight(int nodeCount) {
        this.active = new AtomicIntegerArray(nodeCount);
    }

    void started(int node) {
        active.incrementAndGet(node);
    }

    void finished(int node) {
        active.decrementAndGet(node);
    }

    int get(int node) {
        return active.get(node);
    }
}
