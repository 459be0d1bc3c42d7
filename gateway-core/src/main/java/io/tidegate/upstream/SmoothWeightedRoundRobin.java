package io.tidegate.upstream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * nginx's smooth weighted round robin: weights 5:1:1 give a a b a c a a rather than a a a a a b c,
 * so no node gets a burst. The cycle (length = sum of weights after dividing by their GCD) is
 * computed once and walked with one atomic counter, so picking costs one increment and no lock.
 * Very large weight sums are scaled down to a cycle of at most {@value #MAX_CYCLE} picks.
 */
public final class SmoothWeightedRoundRobin implements Balancer {
    static final int MAX_CYCLE = 1 << 16;
    private final int[] cycle;
    private final AtomicLong counter = new AtomicLong();

    /**
     * @param members node indexes
     * @param weights their weights, > 0
     */
    public SmoothWeightedRoundRobin(int[] members, int[] weights) {
        int[] positions = buildCycle(normalise(weights));
        this.cycle = new int[positions.length];
        for (int i = 0; i < positions.length; i++) {
            cycle[i] = members[positions[i]];
        }
    }

    /** Members 0..n-1. */
    public SmoothWeightedRoundRobin(int[] weights) {
        this(java.util.stream.IntStream.range(0, weights.length).toArray(), weights);
    }

    /** The next node in the cycle, ignoring what was tried. */
    public int next() {
        return cycle[(int) Long.remainderUnsigned(counter.getAndIncrement(), cycle.length)];
    }

    @Override
    public int pick(PickContext context) {
        int pick = next();
        // a cycle visits every member, so one cycle's worth of steps finds an untried one if any
        for (int steps = 1; context.tried(pick) && steps < cycle.length; steps++) {
            pick = next();
        }
        return pick;
    }

    private static long[] normalise(int[] weights) {
        long gcd = 0;
        long sum = 0;
        for (int w : weights) {
            if (w < 0) {
                throw new IllegalArgumentException("weights must be >= 0");
            }
            gcd = gcd(gcd, w);
            sum += w;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("at least one weight must be > 0");
        }
        long[] out = new long[weights.length];
        double scale = sum / gcd > MAX_CYCLE ? (double) MAX_CYCLE / sum : 1.0 / gcd;
        for (int i = 0; i < weights.length; i++) {
            // a positive weight never scales to zero: every live node keeps some share
            out[i] = weights[i] == 0 ? 0 : Math.max(1, Math.round(weights[i] * scale));
        }
        return out;
    }

    private static int[] buildCycle(long[] weights) {
        long total = 0;
        for (long w : weights) {
            total += w;
        }
        int[] cycle = new int[(int) total];
        long[] current = new long[weights.length];
        for (int pick = 0; pick < cycle.length; pick++) {
            int best = -1;
            for (int i = 0; i < weights.length; i++) {
                if (weights[i] == 0) {
                    continue;
                }
                current[i] += weights[i];
                if (best < 0 || current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            cycle[pick] = best;
        }
        return cycle;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
