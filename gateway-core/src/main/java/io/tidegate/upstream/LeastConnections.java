package io.tidegate.upstream;

/**
 * nginx's least_conn: the untried member with the fewest requests in flight relative to its weight
 * ({@code active / weight}) wins; members that tie share the load by smooth weighted round robin,
 * so an idle upstream still splits 1:2:3 for weights 1:2:3.
 */
public final class LeastConnections implements Balancer {
    private final int[] members;
    private final int[] weights;
    private final InFlight active;
    private final SmoothWeightedRoundRobin ties;

    public LeastConnections(int[] members, int[] weights, int nodeCount) {
        this.members = members.clone();
        this.weights = weights.clone();
        this.active = new InFlight(nodeCount);
        this.ties = new SmoothWeightedRoundRobin(members, weights);
    }

    @Override
    public int pick(PickContext context) {
        boolean anyUntried = false;
        for (int m : members) {
            anyUntried |= !context.tried(m);
        }
        // lowest active/weight, compared by cross-multiplying to stay in integers
        int bestActive = -1;
        int bestWeight = 1;
        for (int i = 0; i < members.length; i++) {
            if (anyUntried && context.tried(members[i])) {
                continue;
            }
            int a = active.get(members[i]);
            if (bestActive < 0 || (long) a * bestWeight < (long) bestActive * weights[i]) {
                bestActive = a;
                bestWeight = weights[i];
            }
        }
        int pick = ties.next();
        for (int steps = 0; steps < 1 << 16; steps++) {
            int i = indexOf(pick);
            boolean eligible = !(anyUntried && context.tried(pick));
            if (eligible && (long) active.get(pick) * bestWeight == (long) bestActive * weights[i]) {
                return pick;
            }
            pick = ties.next();
        }
        return pick; // counts moved under us; any member will do
    }

    private int indexOf(int node) {
        for (int i = 0; i < members.length; i++) {
            if (members[i] == node) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a member: " + node);
    }

    @Override
    public void started(int node) {
        active.started(node);
    }

    @Override
    public void finished(int node, long elapsedNanos) {
        active.finished(node);
    }
}
