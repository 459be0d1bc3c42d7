package io.tidegate.plugins.loggers;

import java.time.Duration;

/**
 * APISIX's batch processor fields, as the batching loggers' configuration records bind them
 * ({@code name}, {@code batch_max_size}, {@code inactive_timeout}, {@code buffer_duration},
 * {@code max_retry_count}, {@code retry_delay}; durations in seconds, a fraction allowed).
 */
interface BatchSettings {
    String name();

    int batchMaxSize();

    double inactiveTimeout();

    double bufferDuration();

    int maxRetryCount();

    double retryDelay();

    /** The processor's settings: a value, so equal settings share one processor. */
    default BatchProcessor.Settings batch() {
        return new BatchProcessor.Settings(name(), batchMaxSize(), seconds(inactiveTimeout()), seconds(bufferDuration()),
                maxRetryCount(), seconds(retryDelay()));
    }

    static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1_000_000_000d));
    }
}
