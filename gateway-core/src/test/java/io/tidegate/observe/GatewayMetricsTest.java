package io.tidegate.observe;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Meters read at scrape time keep reading what they were given. */
class GatewayMetricsTest {
    @Test
    void aCounterReadThroughAMethodReferenceSurvivesGarbageCollection() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        LongAdder dropped = new LongAdder();
        // the reference made here is the only one to the supplier: Micrometer alone would hold it weakly
        metrics.counter("tidegate_test_dropped", "for the test", "plugin", "p", dropped::sum);
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        dropped.add(3);
        String scrape = metrics.scrape();
        assertTrue(scrape.contains("tidegate_test_dropped_total{plugin=\"p\"} 3.0"), scrape);
    }
}
