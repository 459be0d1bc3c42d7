package io.tidegate.dashboard;

import io.tidegate.observe.TrafficTotals;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * The dashboard's traffic charts, read from the gateway's own totals ({@link TrafficTotals}): every
 * interval they are read, and the difference with the previous reading gives that interval's request
 * rate, error rate and latency quantiles (interpolated within the histogram's buckets, as
 * Prometheus' {@code histogram_quantile} does).
 */
public final class TrafficSamples {
    /** One interval, ending at {@code epochSecond}; the quantiles are NaN when no request finished in it. */
    public record Point(long epochSecond, long requests, double perSecond, long errors, double errorRate, double p50Millis,
                        double p99Millis) {}

    private static final double[] BOUNDS = TrafficTotals.boundMillis();
    private final Supplier<TrafficTotals.Totals> totals;
    private final int intervalSeconds;
    private final int capacity;
    private final Deque<Point> points = new ArrayDeque<>();
    private TrafficTotals.Totals previous;

    public TrafficSamples(Supplier<TrafficTotals.Totals> totals, int intervalSeconds, int capacity) {
        this.totals = totals;
        this.intervalSeconds = intervalSeconds;
        this.capacity = capacity;
        this.previous = totals.get();
    }

    public int intervalSeconds() {
        return intervalSeconds;
    }

    /** Takes a reading; called every {@link #intervalSeconds}. */
    public void sample(long epochSecond) {
        TrafficTotals.Totals now = totals.get();
        Point point = between(previous, now, epochSecond, intervalSeconds);
        previous = now;
        synchronized (points) {
            if (points.size() == capacity) {
                points.removeFirst();
            }
            points.addLast(point);
        }
    }

    /** Oldest first. */
    public List<Point> points() {
        synchronized (points) {
            return new ArrayList<>(points);
        }
    }

    static Point between(TrafficTotals.Totals before, TrafficTotals.Totals after, long epochSecond, int seconds) {
        long requests = Math.max(0, after.requests() - before.requests());
        long errors = Math.max(0, after.errors() - before.errors());
        long[] atMost = new long[BOUNDS.length];
        for (int i = 0; i < atMost.length; i++) {
            atMost[i] = Math.max(0, after.atMost()[i] - before.atMost()[i]);
        }
        return new Point(epochSecond, requests, (double) requests / seconds, errors,
                requests == 0 ? 0 : (double) errors / requests, quantile(0.5, atMost, requests), quantile(0.99, atMost, requests));
    }

    /** The latency under which {@code q} of {@code count} requests finished, linear within the bucket it falls in. */
    static double quantile(double q, long[] atMost, long count) {
        if (count == 0) {
            return Double.NaN;
        }
        double rank = q * count;
        long below = 0;
        double lower = 0;
        for (int i = 0; i < atMost.length; i++) {
            if (atMost[i] >= rank) {
                long inBucket = atMost[i] - below;
                return inBucket == 0 ? BOUNDS[i] : lower + (BOUNDS[i] - lower) * (rank - below) / inBucket;
            }
            below = atMost[i];
            lower = BOUNDS[i];
        }
        return BOUNDS[BOUNDS.length - 1];  // slower than the last bound: say at least that
    }
}
