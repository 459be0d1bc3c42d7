package io.tidegate.plugins.limits;

import io.github.bucket4j.ConsumptionProbe;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.util.LinkedHashMap;
import java.util.Map;

/** Counts a request against its key in the access phase; the quota headers go on every response. */
final class LimitCountInstance implements PluginInstance {
    private static final String QUOTA = LimitCountInstance.class.getName() + ".quota";

    private final CounterStore store;
    private final Runnable release;
    private final String limit;
    private final KeySource key;
    private final LimitSettings.Rejection rejection;
    private final boolean quotaHeaders;

    LimitCountInstance(CounterStore store, Runnable release, int count, KeySource key, LimitSettings.Rejection rejection,
                       boolean quotaHeaders) {
        this.store = store;
        this.release = release;
        this.limit = Integer.toString(count);
        this.key = key;
        this.rejection = rejection;
        this.quotaHeaders = quotaHeaders;
    }

    /** Remaining quota and seconds until the window resets, for the response headers. */
    private record Quota(long remaining, long resetSeconds) {}

    @Override
    public PhaseResult access(PluginContext context) {
        ConsumptionProbe probe = store.bucket(key.of(context)).tryConsumeAndReturnRemaining(1);
        long reset = Math.max(0, (probe.getNanosToWaitForReset() + 999_999_999L) / 1_000_000_000L);
        if (probe.isConsumed()) {
            if (quotaHeaders) {
                context.attributes().put(QUOTA, new Quota(probe.getRemainingTokens(), reset));
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
        if (context.attributes().get(QUOTA) instanceof Quota quota) {
            context.response().setHeader("X-RateLimit-Limit", limit);
            context.response().setHeader("X-RateLimit-Remaining", Long.toString(quota.remaining()));
            context.response().setHeader("X-RateLimit-Reset", Long.toString(quota.resetSeconds()));
        }
    }

    @Override
    public void close() {
        release.run();
    }
}
