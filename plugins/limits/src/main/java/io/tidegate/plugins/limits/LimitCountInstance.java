package io.tidegate.plugins.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Counts a request against its key in the access phase; the quota headers go on every response. */
final class LimitCountInstance implements PluginInstance {
    /** This instance's own: two limit-counts on one request (a global rule's and the route's) keep apart. */
    private final AttributeKey<Quota> quota = AttributeKey.of("limit-count.quota", Quota.class);
    private static final PhaseResult COUNT_FAILED = PhaseResult.respondJson(500, "{\"error_msg\":\"failed to limit count\"}");

    /** Where counting happens: in this process, or in Redis (asynchronously). */
    interface Counter {
        /** A verdict now (local) or later (Redis). */
        CompletableFuture<Verdict> consume(String key);

        /** When the count cannot be had: null to let the request through (degraded), else the response. */
        PhaseResult onFailure(Throwable failure);
    }

    /** What counting said: let through with {@code remaining} left, or refused; and when to come back. */
    record Verdict(boolean allowed, long remaining, long resetNanos) {
        static Verdict of(ConsumptionProbe probe) {
            return new Verdict(probe.isConsumed(), probe.isConsumed() ? probe.getRemainingTokens() : 0, probe.getNanosToWaitForReset());
        }
    }

    /** A fixed window in this node: the key's bucket4j bucket. */
    record LocalCounter(CounterStore store) implements Counter {
        @Override
        public CompletableFuture<Verdict> consume(String key) {
            return CompletableFuture.completedFuture(Verdict.of(store.bucket(key).tryConsumeAndReturnRemaining(1)));
        }

        @Override
        public PhaseResult onFailure(Throwable failure) {
            return COUNT_FAILED;
        }
    }

    /** A sliding window in this node. */
    record LocalSlidingCounter(SlidingWindows windows, long limit) implements Counter {
        @Override
        public CompletableFuture<Verdict> consume(String key) {
            return CompletableFuture.completedFuture(windows.take(key).verdict(limit, windows.windowMillis()));
        }

        @Override
        public PhaseResult onFailure(Throwable failure) {
            return COUNT_FAILED;
        }
    }

    /**
     * Counting in Redis, in a fixed or a sliding window ({@code count}: key to verdict). When Redis
     * fails: 500, or with {@code allow_degradation} the request goes on uncounted; either way the
     * endpoint's {@link RedisOutage} hears of it.
     */
    record RedisCounter(RedisCounters redis, boolean allowDegradation, Function<String, CompletableFuture<Verdict>> count)
            implements Counter {
        /** A fixed window of {@code count} requests: bucket4j's bucket, refilled all at once every {@code window}. */
        static RedisCounter fixed(RedisCounters redis, String prefix, int count, Duration window, boolean allowDegradation) {
            BucketConfiguration configuration = BucketConfiguration.builder()
                    .addLimit(Bandwidth.builder().capacity(count).refillIntervally(count, window).build())
                    .build();
            return new RedisCounter(redis, allowDegradation,
                    key -> redis.consume(prefix + key, configuration, window).thenApply(Verdict::of));
        }

        /** A sliding window of {@code count} requests per {@code window}. */
        static RedisCounter sliding(RedisCounters redis, String prefix, int count, Duration window, boolean allowDegradation) {
            long windowMillis = window.toMillis();
            return new RedisCounter(redis, allowDegradation,
                    key -> redis.slide(prefix + key, count, windowMillis).thenApply(c -> c.verdict(count, windowMillis)));
        }

        @Override
        public CompletableFuture<Verdict> consume(String key) {
            return count.apply(key);
        }

        @Override
        public PhaseResult onFailure(Throwable failure) {
            if (allowDegradation) {
                redis.outage().letThrough(failure);
                return null;
            }
            redis.outage().refused(failure);
            return COUNT_FAILED;
        }
    }

    private final Counter counter;
    private final String limit;
    private final KeySource key;
    private final LimitSettings.Rejection rejection;
    private final boolean quotaHeaders;

    LimitCountInstance(Counter counter, int count, KeySource key, LimitSettings.Rejection rejection, boolean quotaHeaders) {
        this.counter = counter;
        this.limit = Integer.toString(count);
        this.key = key;
        this.rejection = rejection;
        this.quotaHeaders = quotaHeaders;
    }

    /** Remaining quota and seconds until the window resets, for the response headers. */
    private record Quota(long remaining, long resetSeconds) {}

    @Override
    public PhaseResult access(PluginContext context) {
        CompletableFuture<Verdict> verdict = counter.consume(key.of(context));
        if (verdict.isDone() && !verdict.isCompletedExceptionally()) {
            return decide(context, verdict.join()); // local: decided at once, no deferral
        }
        return PhaseResult.later(verdict.handle((result, failure) -> {
            if (failure != null) {
                PhaseResult degraded = counter.onFailure(failure);
                return degraded == null ? PhaseResult.proceed() : degraded;
            }
            return decide(context, result);
        }));
    }

    private PhaseResult decide(PluginContext context, Verdict verdict) {
        long reset = Math.max(0, (verdict.resetNanos() + 999_999_999L) / 1_000_000_000L);
        if (verdict.allowed()) {
            if (quotaHeaders) {
                context.setAttribute(quota, new Quota(verdict.remaining(), reset));
            }
            return PhaseResult.proceed();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (quotaHeaders) {
            headers.put("X-RateLimit-Limit", limit);
            headers.put("X-RateLimit-Remaining", "0");
            headers.put("X-RateLimit-Reset", Long.toString(reset));
        }
        return rejection.respond(headers);
    }

    @Override
    public void headerFilter(PluginContext context) {
        Quota left = context.attribute(quota);
        if (left != null) {
            context.response().setHeader("X-RateLimit-Limit", limit);
            context.response().setHeader("X-RateLimit-Remaining", Long.toString(left.remaining()));
            context.response().setHeader("X-RateLimit-Reset", Long.toString(left.resetSeconds()));
        }
    }
}
