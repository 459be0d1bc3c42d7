package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * window_type: sliding in memory, on a clock the test sets: the numbers APISIX's sliding window
 * gives (limit 4 per 10 s windows on the epoch).
 */
class SlidingWindowsTest {
    private final AtomicLong now = new AtomicLong();
    private final SlidingWindows windows = new SlidingWindows(4, 10_000, now::get);

    private LimitCountInstance.Verdict take(String key) {
        return windows.take(key).verdict(4, 10_000);
    }

    private static void assertVerdict(boolean allowed, long remaining, long resetMillis, LimitCountInstance.Verdict verdict) {
        assertEquals(new LimitCountInstance.Verdict(allowed, remaining, resetMillis * 1_000_000L), verdict);
    }

    @Test
    void aBurstAtTheEndOfAWindowStillCountsAtTheStartOfTheNext() {
        now.set(1_000_007_000L); // 3 s before a window ends
        assertVerdict(true, 3, 3000, take("k"));
        assertVerdict(true, 2, 3000, take("k"));
        assertVerdict(true, 1, 3000, take("k"));
        assertVerdict(true, 0, 3000, take("k"));
        assertVerdict(false, 0, 3000, take("k")); // the window alone is full: until it ends

        now.set(1_000_010_500L); // 0.5 s into the next: a fixed window would let 4 more through
        // the previous 4 weigh 4 * 9.5 / 10 = 3.8: one more (APISIX would say -1 left: floor(4 - 1 - 3.8))
        assertVerdict(true, 0, 9500, take("k"));
        // 3.8 + 1 >= 4: refused until the previous window's share is down to 3, 7.5 s before the end
        assertVerdict(false, 0, 2000, take("k"));
        assertTrue(take("other").allowed(), "each key has its own counts");

        now.set(1_000_012_500L); // exactly then: 3.0 + 1 is still not below 4
        assertVerdict(false, 0, 0, take("k"));
        now.set(1_000_012_501L);
        assertVerdict(true, 0, 7499, take("k"));
        assertEquals(false, take("k").allowed());
    }

    @Test
    void theWindowBeforeCountsOnlyWhenItIsTheOneJustBefore() {
        now.set(1_000_000_000L);
        for (int i = 0; i < 4; i++) {
            assertTrue(take("k").allowed());
        }
        now.set(1_000_020_000L); // two windows on: nothing of the burst is left
        assertVerdict(true, 3, 10_000, take("k"));
        assertVerdict(true, 2, 10_000, take("k"));
    }

    @Test
    void refusedRequestsAreNotCounted() {
        now.set(1_000_009_000L);
        for (int i = 0; i < 4; i++) {
            assertTrue(take("k").allowed());
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(false, take("k").allowed());
        }
        now.set(1_000_019_999L); // the previous 4 (not 14) weigh 4 * 0.0001: the current window has its 4
        for (int i = 0; i < 4; i++) {
            assertTrue(take("k").allowed(), "estimate before it " + (i + 0.0004));
        }
        assertVerdict(false, 0, 1, take("k"));
    }

    @Test
    void keysIdleForTwoWindowsAreDropped() {
        now.set(1_000_000_000L);
        take("a");
        take("b");
        assertEquals(2, windows.size());
        now.set(1_000_010_000L);
        take("b");
        now.set(1_000_020_001L); // a's counts are two windows old; b's last window is the previous one
        take("c");
        assertEquals(2, windows.size(), "a is gone");
        now.set(1_000_040_000L);
        take("c");
        assertEquals(1, windows.size());
    }
}
