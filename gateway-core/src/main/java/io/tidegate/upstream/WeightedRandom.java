package io.tidegate.upstream;

import java.util.concurrent.ThreadLocalRandom;

/** Picks a member at random, in proportion to its weight, among those not tried yet. */
public final class WeightedRandom implements Balancer {
    private final int[] members;
    private final int[] weights;

    public WeightedRandom(int[] members, int[] weights) {
        this.members = members.clone();
        this.weights = weights.clone();
    }

    @Override
    public int pick(PickContext context) {
        long total = 0;
        for (int i = 0; i < members.length; i++) {
            if (!context.tried(members[i])) {
                total += weights[i];
            }
        }
        boolean all = total == 0; // everything tried: choose among all again
        if (all) {
            for (int w : weights) {
                total += w;
            }
        }
        long r = ThreadLocalRandom.current().nextLong(total);
        for (int i = 0; i < members.length; i++) {
            if (all || !context.tried(members[i])) {
                r -= weights[i];
                if (r < 0) {
                    return members[i];
                }
            }
        }
        return members[members.length - 1];
    }
}
