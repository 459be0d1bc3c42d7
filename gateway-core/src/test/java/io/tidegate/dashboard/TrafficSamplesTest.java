package io.tidegate.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.observe.TrafficTotals;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Rates and quantiles of one interval, from two readings of the running totals. */
class TrafficSamplesTest {
    /** Bucket bounds (ms): 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000, 5000, 10000. */
    private static TrafficTotals.Totals totals(long requests, long errors, long... atMost) {
        long[] all = new long[13];
        for (int i = 0; i < all.length; i++) {
            all[i] = i < atMost.length ? atMost[i] : atMost[atMost.length - 1];
        }
        return new TrafficTotals.Totals(requests, errors, all);
    }

    @Test
    void anIntervalsRateErrorsAndQuantilesComeFromTheDifference() {
        AtomicReference<TrafficTotals.Totals> now = new AtomicReference<>(totals(1000, 10, 500, 1000));
        TrafficSamples samples = new TrafficSamples(now::get, 5, 2);
        // 100 more requests: 50 within 1 ms, 40 within 2 ms, 10 within 5 ms; 5 of them 5xx
        now.set(totals(1100, 15, 550, 1090, 1100));
        samples.sample(100);
        TrafficSamples.Point point = samples.points().get(0);
        assertEquals(100, point.requests());
        assertEquals(20.0, point.perSecond());
        assertEquals(0.05, point.errorRate());
        assertEquals(1.0, point.p50Millis(), 1e-9, "the 50th is the last of the first bucket");
        assertEquals(2.0 + 3.0 * 9 / 10, point.p99Millis(), 1e-9, "99th: 9 of the 10 in (2, 5] ms");
    }

    @Test
    void anIdleIntervalHasNoQuantilesAndOnlyTheLatestIntervalsAreKept() {
        AtomicReference<TrafficTotals.Totals> now = new AtomicReference<>(totals(0, 0, 0));
        TrafficSamples samples = new TrafficSamples(now::get, 5, 2);
        samples.sample(1);
        assertTrue(Double.isNaN(samples.points().get(0).p50Millis()));
        now.set(totals(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));  // slower than every bound
        samples.sample(2);
        samples.sample(3);
        assertEquals(2, samples.points().size());
        assertEquals(2, samples.points().get(0).epochSecond());
        assertEquals(10_000.0, samples.points().get(0).p99Millis(), "at least the last bound");
    }

    @Test
    void totalsCountEachRequestInTheFirstBucketItFitsAndFiveHundredsAsErrors() {
        TrafficTotals totals = new TrafficTotals();
        totals.record(200, 500_000);          // 0.5 ms
        totals.record(503, 1_000_000);        // exactly 1 ms: within the 1 ms bound
        totals.record(200, 3_000_000);        // 3 ms
        totals.record(404, 20_000_000_000L);  // 20 s: beyond every bound
        TrafficTotals.Totals read = totals.totals();
        assertEquals(4, read.requests());
        assertEquals(1, read.errors());
        assertEquals(2, read.atMost()[0]);
        assertEquals(2, read.atMost()[1]);
        assertEquals(3, read.atMost()[2]);
        assertEquals(3, read.atMost()[12], "the 20 s one is in no bucket: only in requests");
    }
}
