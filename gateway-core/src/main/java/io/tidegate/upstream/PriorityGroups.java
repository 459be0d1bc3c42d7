package io.tidegate.upstream;

/**
 * Node {@code priority} as APISIX uses it: members of the highest-priority group serve while any
 * of them is untried for the request; lower groups only take retries once every higher node
 * failed. Each group balances with its own {@link Balancer}.
 */
final class PriorityGroups implements Balancer {
    private final Balancer[] groups;
    private final int[][] members;
    private final Balancer[] byNode;

    /** @param groups balancers, highest priority first; {@code members[g]} the nodes of group g */
    PriorityGroups(Balancer[] groups, int[][] members, int nodeCount) {
        this.groups = groups.clone();
        this.members = members.clone();
        this.byNode = new Balancer[nodeCount];
        for (int g = 0; g < groups.length; g++) {
            for (int node : members[g]) {
                byNode[node] = groups[g];
            }
        }
    }

    @Override
    public int pick(PickContext context) {
        for (int g = 0; g < groups.length; g++) {
            for (int node : members[g]) {
                if (!context.tried(node)) {
                    return groups[g].pick(context);
                }
            }
        }
        return groups[0].pick(context);
    }

    @Override
    public void started(int node) {
        byNode[node].started(node);
    }

    @Override
    public void finished(int node, long elapsedNanos) {
        byNode[node].finished(node, elapsedNanos);
    }
}
