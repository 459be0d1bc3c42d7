package io.tidegate.upstream;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Picks the untried member with the fewest requests in flight relative to its weight
 * ({@code (active + 1) / weight}), as nginx's least_conn; ties go to a random one of them.
 */
public final class LeastConnections implements Balancer {
    private final int[] members;
    private final int[] weights;
    private final AtomicIntegerArray active;

    public LeastConnections(int[] members, int[] weights, int nodeCount) {
        this.members = members.clone();
        this.weights = weights.clone();
        this.active = new AtomicIntegerArray(nodeCount);
    }

    @Override
    public int pick(PickContext context) {
        int offset = ThreadLocalRandom.current().nextInt(members.length);
        int best = -1;
        double bestScore = Double.MAX_VALUE;
        for (int pass = 0; pass < 2 && best < 0; pass++) {
            for (int k = 0; k < members.length; k++) {
                int i = (k + offset) % members.length;
                if (pass == 0 && context.tried(members[i])) {
                    continue;
                }
                double score = (active.get(members[i]) + 1.0) / weights[i];
                if (score < bestScore) {
                    bestScore = score;
                    best = members[i];
                }
            }
        }
        return best;
    }

    @Override
    public void started(int node) {
        active.incrementAndGet(node);
    }

    @Override
    public void finished(int node, long elapsedNanos) {
        active.decrementAndGet(node);
    }

    int active(int node) {
        return active.get(node);
    }
}
