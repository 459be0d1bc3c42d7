package io.tidegate.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * Running totals over every request since start, for the dashboard's charts: how many, how many
 * answered 5xx, and how many finished within each latency bound (cumulative, as Prometheus'
 * buckets). A handful of uncontended adds per request, where the per-route meters of
 * {@link GatewayMetrics} cost some 5-10% of a plain proxy's throughput: a gateway nobody looks at
 * should not pay that for its dashboard. Two readings apart give that interval's rate, error rate
 * and quantiles.
 */
public final class TrafficTotals {
    /** The readings: {@code atMost[i]} requests finished within {@link #boundMillis}{@code [i]}. */
    public record Totals(long requests, long errors, long[] atMost) {}

    private static final double[] BOUNDS_MILLIS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000};
    private static final long[] BOUNDS_NANOS = new long[BOUNDS_MILLIS.length];

    static {
        for (int i = 0; i < BOUNDS_MILLIS.length; i++) {
            BOUNDS_NANOS[i] = (long) (BOUNDS_MILLIS[i] * 1_000_000);
        }
    }

    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    /** Requests per bucket (not cumulative); the last counts those slower than every bound. */
    private final LongAdder[] buckets = new LongAdder[BOUNDS_NANOS.length + 1];

    public TrafficTotals() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public static double[] boundMillis() {
        return BOUNDS_MILLIS.clone();
    }

    public void record(int status, long totalNanos) {
        requests.increment();
        if (status >= 500) {
            errors.increment();
        }
        int bucket = 0;
        while (bucket < BOUNDS_NANOS.length && totalNanos > BOUNDS_NANOS[bucket]) {
            bucket++;
        }
        buckets[bucket].increment();
    }

    public Totals totals() {
        long[] atMost = new long[BOUNDS_NANOS.length];
        long sum = 0;
        for (int i = 0; i < atMost.length; i++) {
            sum += buckets[i].sum();
            atMost[i] = sum;
        }
        return new Totals(requests.sum(), errors.sum(), atMost);
    }
}
