package io.tidegate.plugins.limits;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * nginx's limit_req leaky bucket per key: requests drain at {@code rate} per second; up to
 * {@code burst} may wait above it. A key whose bucket has drained is dropped on the next sweep,
 * so memory follows the keys active recently.
 */
final class LeakyBuckets implements AutoCloseable {
    /** The outcome for one request: rejected, or admitted after waiting {@code delayMillis}. */
    record Admission(boolean admitted, long delayMillis) {}

    private static final Admission REJECTED = new Admission(false, 0);

    private final double ratePerMilli;
    private final double burst;
    private final long drainMillis;
    private final Map<String, State> buckets = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep;

    /** Excess requests waiting (fractional) as of {@code last}. */
    private static final class State {
        double excess;
        long last;
    }

    LeakyBuckets(double rate, double burst) {
        this.ratePerMilli = rate / 1000.0;
        this.burst = burst;
        this.drainMillis = (long) Math.ceil((burst + 1) / ratePerMilli);
        this.nextSweep = new AtomicLong(System.currentTimeMillis() + drainMillis);
    }

    Admission admit(String key, long nowMillis) {
        sweepIfDue(nowMillis);
        State state = buckets.computeIfAbsent(key, k -> {
            State s = new State();
            s.excess = -1; // the first request finds an empty bucket
            s.last = nowMillis;
            return s;
        });
        synchronized (state) {
            double excess = Math.max(state.excess - ratePerMilli * (nowMillis - state.last) + 1, 0);
            if (state.excess < 0) {
                excess = 0;
            }
            if (excess > burst) {
                return REJECTED;
            }
            state.excess = excess;
            state.last = nowMillis;
            return new Admission(true, (long) (excess / ratePerMilli));
        }
    }

    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        if (now < due || !nextSweep.compareAndSet(due, now + drainMillis)) {
            return;
        }
        for (Iterator<State> it = buckets.values().iterator(); it.hasNext(); ) {
            State state = it.next();
            synchronized (state) {
                if (now - state.last > drainMillis) {
                    it.remove();
                }
            }
        }
    }

    int size() {
        return buckets.size();
    }

    /** Nothing to release: the buckets are plain memory. */
    @Override
    public void close() {}
}
