package io.tidegate.plugin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OutageLogTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final List<String> written = new ArrayList<>();
    /** Words the lines as a plugin would, into a list instead of a logger. */
    private final OutageLog.Lines lines = new OutageLog.Lines() {
        @Override
        public void started(String cause, String kind, long count) {
            written.add("started " + cause + ": " + count + " " + kind);
        }

        @Override
        public void failing(String cause, Map<String, Long> since, Duration elapsed) {
            written.add("failing " + cause + ": " + since + " in " + elapsed.toSeconds() + " s");
        }

        @Override
        public void ended(Map<String, Long> total) {
            written.add("ended: " + total);
        }
    };
    private final OutageLog outage = new OutageLog(lines, Duration.ofSeconds(10), now::get);

    private void advanceSeconds(long seconds) {
        now.addAndGet(Duration.ofSeconds(seconds).toNanos());
    }

    @Test
    void anOutageIsOneLineAtItsStartAndOneAtItsEndWithTheTotal() {
        outage.recovered();
        for (int i = 0; i < 1000; i++) {
            outage.failed("refused", "requests refused", 1);
        }
        assertTrue(outage.failing());
        outage.recovered();
        outage.recovered();
        assertFalse(outage.failing());
        assertEquals(List.of("started refused: 1 requests refused", "ended: {requests refused=1000}"), written);
    }

    @Test
    void aLongOutageIsSummarisedOncePerPeriodWithWhatWasAffectedSinceByKind() {
        outage.failed("timeout", "refused", 1);
        for (int second = 1; second <= 25; second++) {
            advanceSeconds(1);
            outage.failed("timeout", "refused", 2);
            outage.failed("timeout", "passed", 1);
        }
        outage.recovered();
        assertEquals(List.of(
                "started timeout: 1 refused",
                // due at the tenth second's first failure; the kinds keep the order the outage saw them in
                "failing timeout: {refused=20, passed=9} in 10 s",
                "failing timeout: {refused=20, passed=10} in 10 s",
                "ended: {refused=51, passed=25}"), written);
    }

    @Test
    void anOutageAfterAQuietPeriodIsAnnouncedAtOnce() {
        outage.failed("down", "dropped", 100);
        outage.recovered();
        advanceSeconds(10);
        outage.failed("answered 503", "dropped", 5);
        assertEquals(List.of("started down: 100 dropped", "ended: {dropped=100}", "started answered 503: 5 dropped"), written);
    }

    @Test
    void aFlappingDependencyGetsAtMostTwoLinesPerPeriod() {
        for (int i = 0; i < 10_000; i++) {
            outage.failed("timeout", "refused", 1);
            outage.recovered();
        }
        assertEquals(List.of("started timeout: 1 refused", "ended: {refused=1}"), written,
                "flaps within the period wait for the next line that is due");

        advanceSeconds(10);
        outage.recovered();
        assertEquals("ended: {refused=9999}", written.get(2), "the unannounced flaps, reported once due");

        for (int i = 0; i < 100; i++) {
            outage.failed("timeout", "refused", 1);
            outage.recovered();
        }
        advanceSeconds(10);
        outage.failed("timeout", "refused", 1);
        outage.recovered();
        assertEquals(List.of("failing timeout: {refused=101} in 10 s", "ended: {refused=101}"), written.subList(3, 5));
        assertEquals(5, written.size());
    }

    @Test
    void failuresFromManyThreadsAreAllCounted() throws InterruptedException {
        int threads = 8;
        int each = 10_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> reporters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String kind = t % 2 == 0 ? "refused" : "passed";
            Thread reporter = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    outage.failed("timeout", kind, 1);
                }
            });
            reporter.start();
            reporters.add(reporter);
        }
        start.countDown();
        for (Thread reporter : reporters) {
            reporter.join();
        }
        outage.recovered();
        String ended = written.get(written.size() - 1);
        assertTrue(ended.contains("refused=40000") && ended.contains("passed=40000"), ended);
        assertEquals(2, written.size(), written.toString());
    }
}
