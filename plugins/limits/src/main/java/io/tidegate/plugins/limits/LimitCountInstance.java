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

/** Counts a request against its key in the access phase; the quota headers go on every response. */
final class LimitCountInstance implements PluginInstance {
    /** This instance's own: two limit-counts on one request (a global rule's and the route's) keep apart. */
    private final AttributeKey<Quota> quota = AttributeKey.of("limit-count.quota", Quota.class);
    private static final PhaseResult COUNT_FAILED = PhaseResult.respondJson(500, "{\"error_msg\":\"failed to limit count\"}");

    /** Where counting happens: in this process, or in Redis (asynchronously). */
    interface Counter {
        /** A probe now (local) or later (Redis); a null probe means "let the request through uncounted". */
        CompletableFuture<ConsumptionProbe> consume(String key);

        /** When the count cannot be had: null to let the request through (degraded), else the response. */
        PhaseResult onFailure(Throwable failure);
    }

    record LocalCounter(CounterStore store) implements Counter {
        @Override
        public CompletableFuture<ConsumptionProbe> consume(String key) {
            return CompletableFuture.completedFuture(store.bucket(key).tryConsumeAndReturnRemaining(1));
        }

        @Override
        public PhaseResult onFailure(Throwable failure) {
            return COUNT_FAILED;
        }
    }

    record RedisCounter(RedisCounters redis, String prefix, BucketConfiguration configuration, Duration window,
                        boolean allowDegradation) implements Counter {
        RedisCounter(RedisCounters redis, String prefix, int count, Duration window, boolean allowDegradation) {
            this(redis, prefix, BucketConfiguration.builder()
                    .addLimit(Bandwidth.builder().capacity(count).refillIntervally(count, window).build())
                    .build(), window, allowDegradation);
        }

        @Override
        public CompletableFuture<ConsumptionProbe> consume(String key) {
            return redis.consume(prefix + key, configuration, window);
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
        CompletableFuture<ConsumptionProbe> probe = counter.consume(key.of(context));
        if (probe.isDone() && !probe.isCompletedExceptionally()) {
            return decide(context, probe.join()); // local: decided at once, no deferral
        }
        return PhaseResult.later(probe.handle((result, failure) -> {
            if (failure != null) {
                PhaseResult degraded = counter.onFailure(failure);
                return degraded == null ? PhaseResult.proceed() : degraded;
            }
            return decide(context, result);
        }));
    }

    private PhaseResult decide(PluginContext context, ConsumptionProbe probe) {
        long reset = Math.max(0, (probe.getNanosToWaitForReset() + 999_999_999L) / 1_000_000_000L);
        if (probe.isConsumed()) {
            if (quotaHeaders) {
                context.setAttribute(quota, new Quota(probe.getRemainingTokens(), reset));
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
