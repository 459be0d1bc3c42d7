package io.tidegate.plugins.traffic;

import java.util.List;

/**
 * Interleaved weighted round robin (nginx's classic scheme, as APISIX's traffic-split uses): over
 * every run of {@code sum(weights) / gcd} picks, each entry is picked exactly weight / gcd times,
 * the heavier ones first. Shared by the requests of one configuration, so picks are serialised.
 */
final class WeightedChoice<T> {
    private final List<T> entries;
    private final int[] weights;
    private final int gcd;
    private final int maxWeight;
    private int last = -1;
    private int current;

    /** @param weights one per entry, at least one of them above 0 */
    WeightedChoice(List<T> entries, int[] weights) {
        if (entries.size() != weights.length) {
            throw new IllegalArgumentException("one weight per entry");
        }
        this.entries = List.copyOf(entries);
        this.weights = weights.clone();
        int g = 0;
        int max = 0;
        for (int weight : weights) {
            g = gcd(g, weight);
            max = Math.max(max, weight);
        }
        if (max == 0) {
            throw new IllegalArgumentException("no entry has a weight above 0");
        }
        this.gcd = g;
        this.maxWeight = max;
        this.current = max;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    synchronized T next() {
        if (entries.size() == 1) {
            return entries.get(0);
        }
        while (true) {
            for (int i = last + 1; i < weights.length; i++) {
                if (weights[i] >= current) {
                    last = i;
                    return entries.get(i);
                }
            }
            last = -1;
            current -= gcd;
            if (current <= 0) {
                current = maxWeight;
            }
        }
    }
}
