package io.tidegate.plugins.limits;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.tidegate.plugin.api.PluginLog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Counters in Redis (one server, a sentinel-named master or a cluster: {@link RedisEndpoint}): one
 * client and one connection per endpoint, shared by every limit that uses it; all calls
 * asynchronous, so no gateway thread ever waits on Redis. Fixed windows go through bucket4j's
 * Lettuce back end, sliding windows through one script ({@link #slide}); either way one key's
 * counts are one Redis key, changed atomically on the server, so gateways sharing the Redis count
 * exactly together (and, in a cluster, each key lives in one slot). While Redis is unreachable
 * calls fail at once (commands are not queued), and the connection is retried on the next request;
 * while it is hung a call fails after {@code timeout}.
 */
final class RedisCounters implements AutoCloseable {
    private final RedisEndpoint endpoint;
    private final Duration timeout;
    private final RedisOutage outage;
    private volatile CompletableFuture<Connected> connection;

    private record Connected(RedisEndpoint.Link link, Map<Duration, AsyncProxyManager<byte[]>> managers,
                             Map<String, CachedProxy> proxies) {}

    /** A key's bucket proxy, kept so concurrent requests for the key batch into one round trip. */
    private static final class CachedProxy {
        final AsyncBucketProxy proxy;
        volatile long lastUsed;

        CachedProxy(AsyncBucketProxy proxy, long now) {
            this.proxy = proxy;
            this.lastUsed = now;
        }
    }

    private final AtomicLong nextSweep = new AtomicLong();

    /**
     * Starts connecting at once (without waiting), so the first requests do not pay for it: a
     * cluster client has to learn the topology first, which can take longer than
     * {@code redis_timeout} while the gateway warms up.
     *
     * @param timeout the most a request waits for Redis, connecting included
     */
    RedisCounters(RedisEndpoint endpoint, Duration timeout, PluginLog log) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.outage = new RedisOutage(endpoint.toString(), log);
        connected();
    }

    /**
     * Takes one token from the key's bucket; the future fails when Redis cannot answer, at the
     * latest one {@code redis_timeout} after the call.
     *
     * <p>That bound has to be set here, per request. Concurrent requests for one key are batched
     * (see {@link #proxy}): a request that arrives while a round trip is in flight waits for it,
     * then goes out in the next one, and bucket4j's and Lettuce's timeouts only start when that
     * round trip is sent. With a hung Redis, a busy key's requests each waited for the batch ahead
     * to time out and then for their own: twice {@code redis_timeout}.
     */
    CompletableFuture<ConsumptionProbe> consume(String key, BucketConfiguration configuration, Duration window) {
        return call(connected -> proxy(connected, key, configuration, window).tryConsumeAndReturnRemaining(1));
    }

    /**
     * One request against the sliding window of {@code key} ({@code window_type: sliding}):
     * {@link #SLIDE} decides and counts in one step on the server, so requests from any number of
     * gateways count exactly together. Fails as {@link #consume} does.
     */
    CompletableFuture<SlidingWindows.Count> slide(String key, long limit, long windowMillis) {
        byte[][] keys = {key.getBytes(StandardCharsets.UTF_8)};
        byte[] limitArg = Long.toString(limit).getBytes(StandardCharsets.US_ASCII);
        byte[] windowArg = Long.toString(windowMillis).getBytes(StandardCharsets.US_ASCII);
        return call(connected -> {
            RedisClusterAsyncCommands<byte[], byte[]> commands = connected.link().commands();
            CompletionStage<List<Object>> run = commands.<List<Object>>evalsha(SLIDE_SHA, ScriptOutputType.MULTI, keys, limitArg, windowArg)
                    .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
                            // a node that has not run it yet (a new master after a failover): EVAL caches it there
                            ? commands.<List<Object>>eval(SLIDE, ScriptOutputType.MULTI, keys, limitArg, windowArg)
                            : CompletableFuture.failedFuture(failure));
            return run.thenApply(reply -> new SlidingWindows.Count(((Long) reply.get(0)) == 1L, (Long) reply.get(1),
                    (Long) reply.get(2), (Long) reply.get(3)));
        });
    }

    /**
     * The sliding window in Redis, as {@link SlidingWindows} keeps it in memory. {@code KEYS[1]} is a
     * hash of the key's window number {@code w}, its count {@code c} and the previous window's count
     * {@code p}; windows are cut from the Redis server's clock ({@code TIME}), so gateways whose
     * clocks differ still agree on them. Decides as {@link SlidingWindows.Count#admits} and counts
     * only what it lets through. Returns {let through (1/0), current count, previous count (at
     * most the limit), milliseconds left in the window}.
     */
    static final String SLIDE = """
            if redis.replicate_commands then redis.replicate_commands() end
            local limit = tonumber(ARGV[1])
            local window = tonumber(ARGV[2])
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            local number = math.floor(now / window)
            local left = window - now % window
            local stored = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
            local at = tonumber(stored[1])
            local current, previous = 0, 0
            if at ~= nil and at >= number then
              current = tonumber(stored[2]) or 0
              previous = tonumber(stored[3]) or 0
              number = at
            elseif at == number - 1 then
              previous = tonumber(stored[2]) or 0
            end
            if previous > limit then previous = limit end
            if current >= limit or previous * left / window + current >= limit then
              return {0, current, previous, left}
            end
            current = current + 1
            redis.call('HSET', KEYS[1], 'w', number, 'c', current, 'p', previous)
            redis.call('PEXPIRE', KEYS[1], left + window)
            return {1, current, previous, left}
            """;
    private static final String SLIDE_SHA = sha1(SLIDE);

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code call} on the connection: fails at the latest one {@code timeout} after it starts
     * (connecting included); a failure counts against the endpoint (a cluster then looks at its
     * topology again), an answer ends an outage.
     */
    private <T> CompletableFuture<T> call(Function<Connected, CompletionStage<T>> call) {
        return connected().thenCompose(call)
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .handle((result, failure) -> {
                    if (failure == null) {
                        outage.answered();
                        return result;
                    }
                    endpoint.failed();
                    Throwable cause = unwrap(failure);
                    // a bare TimeoutException says nothing in the log; say what timed out
                    throw new CompletionException(cause instanceof TimeoutException ? noAnswer() : cause);
                });
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private TimeoutException noAnswer() {
        return new TimeoutException("no answer from Redis within " + timeout.toMillis() + " ms");
    }

    /** Where the limits using this server report what its failures cost their requests. */
    RedisOutage outage() {
        return outage;
    }

    private AsyncBucketProxy proxy(Connected connected, String key, BucketConfiguration configuration, Duration window) {
        long now = System.nanoTime();
        sweep(connected, now, window);
        CachedProxy cached = connected.proxies().computeIfAbsent(key, k -> new CachedProxy(connected.managers()
                .computeIfAbsent(window, w -> connected.link().bucket4j()
                        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(w))
                        .requestTimeout(timeout)
                        .build()
                        .asAsync())
                .builder()
                // concurrent requests for one key share one Redis round trip instead of racing
                // each other's compare-and-swap (exact counts; a hot key no longer retries)
                .withOptimization(Optimizations.batching())
                .build(k.getBytes(StandardCharsets.UTF_8), configuration), now));
        cached.lastUsed = now;
        return cached.proxy;
    }

    /** Proxies of keys idle for a whole window go (the counts themselves live in Redis). */
    private void sweep(Connected connected, long now, Duration window) {
        long due = nextSweep.get();
        if (now - due < 0 || !nextSweep.compareAndSet(due, now + window.toNanos())) {
            return;
        }
        connected.proxies().values().removeIf(p -> now - p.lastUsed > window.toNanos());
    }

    private CompletableFuture<Connected> connected() {
        CompletableFuture<Connected> current = connection;
        if (current == null || current.isCompletedExceptionally()) {
            synchronized (this) {
                current = connection;
                if (current == null || current.isCompletedExceptionally()) {
                    current = endpoint.connect()
                            .thenApply(link -> new Connected(link, new ConcurrentHashMap<>(), new ConcurrentHashMap<>()));
                    connection = current;
                }
            }
        }
        return current;
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
