package io.tidegate.plugins.limits;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.tidegate.plugin.api.PluginLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Counters in one Redis server, through bucket4j's Lettuce back end: one client and one connection
 * per server, shared by every limit that uses it; all calls asynchronous, so no gateway thread
 * ever waits on Redis. While Redis is unreachable calls fail at once (commands are not queued),
 * and the connection is retried on the next request; while it is hung a call fails after
 * {@code redis_timeout}.
 */
final class RedisCounters implements AutoCloseable {
    static {
        // Lettuce's JFR events look classes up through the thread's context class loader, which in
        // a plugin is not the loader that holds Lettuce: the lookups fail or mix copies. The gateway
        // does not need them.
        if (System.getProperty("io.lettuce.core.jfr") == null) {
            System.setProperty("io.lettuce.core.jfr", "false");
        }
    }

    private final RedisClient client;
    private final RedisURI uri;
    private final Duration timeout;
    private final RedisOutage outage;
    private volatile CompletableFuture<Connected> connection;

    private record Connected(StatefulRedisConnection<byte[], byte[]> connection, Map<Duration, AsyncProxyManager<byte[]>> managers,
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

    private final java.util.concurrent.atomic.AtomicLong nextSweep = new java.util.concurrent.atomic.AtomicLong();

    RedisCounters(String host, int port, String password, int database, Duration timeout, PluginLog log) {
        RedisURI.Builder builder = RedisURI.builder().withHost(host).withPort(port).withDatabase(database).withTimeout(timeout);
        if (password != null) {
            builder.withPassword(password.toCharArray());
        }
        this.uri = builder.build();
        this.timeout = timeout;
        this.outage = new RedisOutage(host + ":" + port, log);
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
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
        return connected().thenCompose(connected -> proxy(connected, key, configuration, window).tryConsumeAndReturnRemaining(1))
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .handle((probe, failure) -> {
                    if (failure == null) {
                        outage.answered();
                        return probe;
                    }
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    // a bare TimeoutException says nothing in the log; say what timed out
                    throw new CompletionException(cause instanceof TimeoutException ? noAnswer() : cause);
                });
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
                .computeIfAbsent(window, w -> Bucket4jLettuce.casBasedBuilder(connected.connection())
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
                    current = client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture()
                            .thenApply(c -> new Connected(c, new ConcurrentHashMap<>(), new ConcurrentHashMap<>()));
                    connection = current;
                }
            }
        }
        return current;
    }

    @Override
    public void close() {
        client.shutdownAsync();
    }
}
