package io.tidegate.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {
    private static int[] picks(SmoothWeightedRoundRobin balancer, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = balancer.next();
        }
        return out;
    }

    @Test
    void spreadsPicksAsNginxDoes() {
        // nginx's documented sequence for weights 5, 1, 1: a a b a c a a
        assertArrayEquals(new int[] {0, 0, 1, 0, 2, 0, 0}, picks(new SmoothWeightedRoundRobin(new int[] {5, 1, 1}), 7));
    }

    @Test
    void honoursWeightsExactlyOverACycle() {
        SmoothWeightedRoundRobin balancer = new SmoothWeightedRoundRobin(new int[] {1, 2, 3, 0});
        int[] counts = new int[4];
        for (int pick : picks(balancer, 600)) {
            counts[pick]++;
        }
        assertArrayEquals(new int[] {100, 200, 300, 0}, counts);
    }

    @Test
    void commonDivisorShortensTheCycle() {
        assertArrayEquals(picks(new SmoothWeightedRoundRobin(new int[] {1, 3}), 8),
                picks(new SmoothWeightedRoundRobin(new int[] {100, 300}), 8));
    }

    @Test
    void hugeWeightsAreScaledKeepingEveryNode() {
        SmoothWeightedRoundRobin balancer = new SmoothWeightedRoundRobin(new int[] {1_000_000_007, 1});
        int[] counts = new int[2];
        for (int pick : picks(balancer, SmoothWeightedRoundRobin.MAX_CYCLE + 1)) {
            counts[pick]++;
        }
        assertEquals(1, counts[1]);
    }

    @Test
    void needsAPositiveWeight() {
        assertThrows(IllegalArgumentException.class, () -> new SmoothWeightedRoundRobin(new int[] {0, 0}));
    }
}
