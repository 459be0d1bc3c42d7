package io.tidegate.upstream;

import io.tidegate.config.KeepalivePool;
import io.undertow.client.UndertowClient;
import io.undertow.server.handlers.proxy.ConnectionPoolManager;
import io.undertow.server.handlers.proxy.ProxyConnectionPool;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;

/**
 * Keep-alive connection pools to upstream nodes, one per node address and pool setting, shared by
 * every snapshot so that a configuration change does not drop warm connections. Each pool keeps
 * its idle connections per IO thread, so a request always reuses a connection owned by its own
 * thread.
 */
public final class ConnectionPools implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPools.class);
    /** Active connections per IO thread and node; nginx does not cap these, so the cap is only a safety net. */
    private static final int MAX_ACTIVE_PER_THREAD = 4096;
    private static final OptionMap CLIENT_OPTIONS = OptionMap.builder()
            .set(Options.TCP_NODELAY, true)
            .set(Options.KEEP_ALIVE, true)
            .getMap();

    private final int ioThreads;
    private final Map<Key, ProxyConnectionPool> pools = new ConcurrentHashMap<>();

    public ConnectionPools(int ioThreads) {
        this.ioThreads = ioThreads;
    }

    /** The pool for {@code http://address:port}, created on first use. */
    public ProxyConnectionPool pool(String scheme, String address, int port, KeepalivePool settings) {
        return pools.computeIfAbsent(new Key(scheme, address, port, settings), this::create);
    }

    private ProxyConnectionPool create(Key key) {
        String host = key.address.indexOf(':') >= 0 ? "[" + key.address + "]" : key.address;
        URI uri = URI.create(key.scheme + "://" + host + ":" + key.port);
        int idlePerThread = Math.max(1, (key.settings.size() + ioThreads - 1) / ioThreads);
        return new ProxyConnectionPool(new PoolSettings(idlePerThread, (long) (key.settings.idleTimeout() * 1000)),
                uri, UndertowClient.getInstance(), CLIENT_OPTIONS);
    }

    /** Closes pools no snapshot uses any more; called after a new snapshot is swapped in. */
    public void retainOnly(Set<Key> inUse) {
        pools.entrySet().removeIf(entry -> {
            if (inUse.contains(entry.getKey())) {
                return false;
            }
            log.debug("closing connection pool to {}", entry.getValue().getUri());
            IoUtils.safeClose(entry.getValue());
            return true;
        });
    }

    public static Key key(String scheme, String address, int port, KeepalivePool settings) {
        return new Key(scheme, address, port, settings);
    }

    @Override
    public void close() {
        pools.values().forEach(IoUtils::safeClose);
        pools.clear();
    }

    /** Identifies one pool: where it connects and how it keeps connections. */
    public record Key(String scheme, String address, int port, KeepalivePool settings) {}

    /**
     * Pool limits. Errors never mark a node unavailable here: without health checks APISIX keeps
     * sending to every node, and a refused connection is retried on the next node instead.
     */
    private record PoolSettings(int idlePerThread, long idleMillis) implements ConnectionPoolManager {
        @Override public int getProblemServerRetry() { return -1; }
        @Override public int getMaxConnections() { return MAX_ACTIVE_PER_THREAD; }
        @Override public int getMaxCachedConnections() { return idlePerThread; }
        @Override public int getSMaxConnections() { return 0; }
        @Override public long getTtl() { return idleMillis; }
        @Override public int getMaxQueueSize() { return 0; }
        @Override public boolean isAvailable() { return true; }
        @Override public boolean handleError() { return true; }
        @Override public boolean clearError() { return true; }
    }
}
