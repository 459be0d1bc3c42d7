package io.tidegate.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition that another thread (or process) makes true. */
public final class Await {
    private Await() {}

    /** Waits until {@code condition} holds, checking every 10 ms; false when {@code wait} passed first. */
    public static boolean until(Duration wait, BooleanSupplier condition) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
