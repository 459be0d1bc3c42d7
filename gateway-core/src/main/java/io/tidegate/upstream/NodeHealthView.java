package io.tidegate.upstream;

import io.tidegate.health.HealthRules;
import io.tidegate.health.NodeHealth;

/**
 * An upstream's node health as its proxy client uses it: {@code nodes[i]} is the health of node i,
 * {@code passive} the rules real traffic is judged by (null: traffic is not counted).
 */
record NodeHealthView(NodeHealth[] nodes, HealthRules passive) {

    /** Whether some node is healthy and not yet tried: then unhealthy nodes are passed over. */
    boolean anyHealthyUntried(boolean[] tried) {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i].healthy() && !tried[i]) {
                return true;
            }
        }
        return false;
    }
}
