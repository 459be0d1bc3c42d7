package io.tidegate.upstream;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latency-aware balancing as APISIX's {@code ewma}: each node keeps an exponentially weighted
 * moving average of its response times that decays over {@value #DECAY_SECONDS} s; a pick compares
 * two random untried members ("power of two choices") and takes the one whose average, scaled by
 * requests in flight, is lower. A node with no history scores zero, so new nodes get tried.
 */
public final class Ewma implements Balancer {
    static final double DECAY_SECONDS = 10;
    private final int[] members;
    private final AtomicLongArray averageBits;
    private final AtomicLongArray lastUpdate;
    private final InFlight active;

    public Ewma(int[] members, int nodeCount) {
        this.members = members.clone();
        this.averageBits = new AtomicLongArray(nodeCount);
        this.lastUpdate = new AtomicLongArray(nodeCount);
        this.active = new InFlight(nodeCount);
    }

    @Override
    public int pick(PickContext context) {
        int[] untried = new int[members.length];
        int n = 0;
        for (int m : members) {
            if (!context.tried(m)) {
                untried[n++] = m;
            }
        }
        int[] pool = n == 0 ? members : untried;
        int size = n == 0 ? members.length : n;
        if (size == 1) {
            return pool[0];
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(size);
        int b = random.nextInt(size - 1);
        if (b >= a) {
            b++;
        }
        return score(pool[a]) <= score(pool[b]) ? pool[a] : pool[b];
    }

    private double score(int node) {
        return decayed(node, System.nanoTime()) * (active.get(node) + 1);
    }

    private double decayed(int node, long now) {
        double average = Double.longBitsToDouble(averageBits.get(node));
        long last = lastUpdate.get(node);
        return last == 0 ? average : average * decayFactor(last, now);
    }

    private static double decayFactor(long last, long now) {
        return Math.exp(-(Math.max(0, now - last) / 1e9) / DECAY_SECONDS);
    }

    @Override
    public void started(int node) {
        active.started(node);
    }

    @Override
    public void finished(int node, long elapsedNanos) {
        active.finished(node);
        long now = System.nanoTime();
        long last = lastUpdate.get(node);
        double average = Double.longBitsToDouble(averageBits.get(node));
        // a node's first sample is its average; later ones blend in as time passes
        double weight = last == 0 ? 0 : decayFactor(last, now);
        double previous = last == 0 ? average : average * weight;
        double updated = previous * weight + (elapsedNanos / 1e6) * (1 - weight);
        // a lost race only drops one sample; averages need no exactness
        averageBits.set(node, Double.doubleToRawLongBits(updated));
        lastUpdate.set(node, now);
    }
}
